"""Chronology event types that rules read, added to the partnership's taxonomy:

- `sw-recommended-continuation` (rule `cp-ended-against-advice`): the allocated social worker
  recommended that the child protection plan continue (seed 003, recommendation 2). Recorded as
  an entry about the child, so it needs no new field on the plan.
- `doorstep-visit` (rule `child-not-seen`): a visit where the practitioner was not let in, or
  saw the child only at the door (seed 003 learning 1: "visits only on the doorstep").
"""

from django.db import migrations

EVENT_TYPES = (
    (
        "sw-recommended-continuation",
        "Social worker recommended the plan continue",
        "The allocated social worker recommended that the child protection plan continue. If the "
        "plan then ends, a manager reviews the decision.",
    ),
    (
        "doorstep-visit",
        "Home visit on the doorstep only",
        "The practitioner visited the home but was not let in, or saw the child only at the door.",
    ),
)


def add(apps, schema_editor):
    EventType = apps.get_model("chronology", "EventType")
    for code, label, description in EVENT_TYPES:
        EventType.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "domain": "",
                "default_weight": 0,
                "is_concern": False,
                "description": description,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial"), ("chronology", "0002_default_taxonomy")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
