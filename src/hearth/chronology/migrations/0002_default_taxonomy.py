"""The default event taxonomy. Partnerships tune labels and weights afterwards; codes are stable."""

from django.db import migrations

# code, label, neglect domain, default concern weight, is a concern
TAXONOMY = [
    ("referral-received", "Referral received by children's social care", "", 2.0, True),
    ("referral-from-housing", "Housing provider raised a safeguarding concern", "home_conditions", 2.0, True),
    ("missed-health-appointment", "Child not brought to a health appointment", "health", 1.0, True),
    ("missed-immunisation", "Immunisations missed or overdue", "health", 1.0, True),
    ("untreated-dental-decay", "Untreated dental decay or pain", "health", 2.0, True),
    ("faltering-growth", "Faltering growth or weight loss", "health", 3.0, True),
    ("ae-attendance", "Attendance at A&E or urgent care", "health", 1.0, True),
    ("accidental-injury", "Injury suggesting poor supervision", "safety", 2.0, True),
    ("left-unsupervised", "Child left alone or found unsupervised", "safety", 3.0, True),
    ("domestic-abuse-incident", "Domestic abuse incident attended by police", "safety", 3.0, True),
    ("police-welfare-check", "Police welfare check at the home", "safety", 1.5, True),
    ("parental-substance-misuse", "Parental alcohol or drug misuse observed", "safety", 2.0, True),
    ("parental-mental-health", "Parental mental health crisis", "emotional", 1.5, True),
    ("child-distress", "Child distressed, withdrawn or frightened", "emotional", 2.0, True),
    ("school-absence", "Persistent absence from school or nursery", "education", 1.5, True),
    ("late-to-school", "Repeatedly late or collected late", "education", 0.5, True),
    ("ehe-registered", "Child withdrawn for elective home education", "education", 1.0, True),
    ("child-hungry", "Child hungry or without food", "physical_care", 2.0, True),
    ("poor-hygiene", "Child unwashed, or clothes dirty or unsuitable", "physical_care", 1.5, True),
    ("home-conditions", "Home conditions harmful to the child", "home_conditions", 3.0, True),
    ("animal-welfare", "Animal welfare concern at the home", "home_conditions", 1.5, True),
    ("closed-non-engagement", "Case closed because the family did not engage", "", 2.0, True),
    ("home-visit", "Home visit", "", 0.0, False),
    ("child-seen-alone", "Child seen alone", "", 0.0, False),
    ("strategy-discussion", "Strategy discussion", "", 0.0, False),
    ("assessment-completed", "Assessment completed", "", 0.0, False),
    ("icpc", "Initial child protection conference", "", 0.0, False),
    ("cp-review", "Child protection review conference", "", 0.0, False),
    ("core-group", "Core group meeting", "", 0.0, False),
    ("plan-started", "Plan started", "", 0.0, False),
    ("plan-ended", "Plan ended", "", 0.0, False),
    ("early-help-started", "Early help support started", "", 0.0, False),
    ("information-shared", "Information shared between agencies", "", 0.0, False),
    ("positive-change", "Positive change observed", "", 0.0, False),
]


def load(apps, schema_editor):
    EventType = apps.get_model("chronology", "EventType")
    for code, label, domain, weight, concern in TAXONOMY:
        EventType.objects.update_or_create(
            code=code, defaults={"label": label, "domain": domain, "default_weight": weight, "is_concern": concern}
        )


class Migration(migrations.Migration):
    dependencies = [("chronology", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
