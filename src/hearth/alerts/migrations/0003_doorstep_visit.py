"""The chronology event type the rule `child-not-seen` reads for visits made only on the doorstep
(seed 003 learning 1: "visits only on the doorstep"). A visit where the practitioner was not let
in is recorded as its own event type, so the rule can tell it from a home visit."""

from django.db import migrations

CODE = "doorstep-visit"


def add(apps, schema_editor):
    EventType = apps.get_model("chronology", "EventType")
    EventType.objects.get_or_create(
        code=CODE,
        defaults={
            "label": "Home visit on the doorstep only",
            "domain": "",
            "default_weight": 0,
            "is_concern": False,
            "description": "The practitioner visited the home but was not let in, or saw the "
            "child only at the door.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_sw_recommended_continuation")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
