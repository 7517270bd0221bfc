"""The chronology event type the rule `cp-ended-against-advice` reads: the allocated social worker
recommended that the child protection plan continue (seed 003, recommendation 2). Recorded as a
chronology entry about the child, so it needs no new field on the plan."""

from django.db import migrations

CODE = "sw-recommended-continuation"


def add(apps, schema_editor):
    EventType = apps.get_model("chronology", "EventType")
    EventType.objects.get_or_create(
        code=CODE,
        defaults={
            "label": "Social worker recommended the plan continue",
            "domain": "",
            "default_weight": 0,
            "is_concern": False,
            "description": "The allocated social worker recommended that the child protection plan "
            "continue. If the plan then ends, a manager reviews the decision.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial"), ("chronology", "0002_default_taxonomy")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
