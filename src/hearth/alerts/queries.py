"""Whose alerts are whose: the worker's, and their team's for a manager."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from hearth.access.models import Involvement
from hearth.access.scoping import visible_people
from hearth.alerts.models import Alert, AlertStatus
from hearth.people.households import current_q


def my_alerts(user: Any, *, include_closed: bool = False) -> QuerySet[Alert]:
    """Alerts about children this practitioner is currently allocated to."""
    mine = Involvement.objects.filter(current_q(), practitioner=user, person=OuterRef("child"))
    return _listed(Alert.objects.filter(Exists(mine)), include_closed)


def team_alerts(user: Any, *, include_closed: bool = False) -> QuerySet[Alert]:
    """For a manager: alerts about children allocated to anyone in their team (or agency, when
    the manager has no team), limited to children the manager may see."""
    workers = Q(practitioner__team=user.team) if user.team_id else Q(agency=user.agency)
    team = Involvement.objects.filter(current_q(), workers, person=OuterRef("child"))
    alerts = Alert.objects.filter(Exists(team), child__in=visible_people(user))
    return _listed(alerts, include_closed)


def _listed(alerts: QuerySet[Alert], include_closed: bool) -> QuerySet[Alert]:
    if not include_closed:
        alerts = alerts.exclude(status=AlertStatus.CLOSED)
    return alerts.select_related("rule", "rule_version", "child").order_by("fired_on", "pk")
