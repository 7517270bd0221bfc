import datetime

from hearth.chronology import actions
from hearth.chronology.models import ChronologyEntry, EventType


def make_entry(
    *, by, subjects=(), household=None, description="Child arrived at school hungry.", **kwargs
) -> ChronologyEntry:
    """Entries are only ever written through the action, in tests as in the application."""
    kwargs.setdefault("event_date", datetime.date(2025, 3, 1))
    kwargs.setdefault("event_type", EventType.objects.get(code="child-hungry"))
    kwargs.setdefault(
        "impact_on_child", "She could not concentrate and ate two breakfasts at school club."
    )
    return actions.create_entry(
        by=by, subjects=list(subjects), household=household, description=description, **kwargs
    )
