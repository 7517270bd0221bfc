"""The demo: three long-history neglect families shaped like those in the reviews, and demo log-ins.

Family A: two decades of referrals closed for non-engagement, missed health appointments, a housing
provider raising concerns, and the mother's partner who is never assessed. Family B: school
absence, hunger and dental decay; a plan ended at the first review. Family C: a child withdrawn
for elective home education, animal neglect, doorstep-only visits. All names are synthetic.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction

from hearth.access.actions import record_involvement
from hearth.accounts.models import Role, User
from hearth.agencies.models import Agency
from hearth.episodes.models import Episode, EpisodeKind, ScreeningStatus
from hearth.people.models import Person
from hearth.synth.actionplans_demo import seed_action_plans
from hearth.synth.families import YEAR, SynthFamily
from hearth.synth.toolkit_demo import seed_family_a_toolkit

if TYPE_CHECKING:
    from hearth.synth.generator import Chunk, Generator

DEMO_PASSWORD = "hearth-demo-only-not-secret"

# (years before the census date, event code, agency type, subjects, description, what it means for the child)
# subjects: "kids" every child then under 18, "young" the youngest then, "eldest", "mother", "partner", "household"
Script = list[tuple[float, str, str, str, str, str]]
FAMILY_A: Script = [
    (
        19,
        "missed-health-appointment",
        "health_visiting",
        "eldest",
        "Baby not brought to the 6–8 week review; third attempt to book.",
        "The baby's growth and development have not been checked.",
    ),
    (
        17,
        "referral-received",
        "csc",
        "kids",
        "Referral from the health visitor: the home smelt strongly of urine and the baby had severe nappy rash.",
        "The baby is sore and living in unhygienic conditions.",
    ),
    (
        17,
        "closed-non-engagement",
        "csc",
        "kids",
        "Assessment closed: mother did not keep three appointments. No change recorded.",
        "Nothing has changed for the children; the concern is unresolved.",
    ),
    (
        14,
        "school-absence",
        "school",
        "eldest",
        "Attendance 71% this year; mother says the child has been unwell but no GP visits are recorded.",
        "The child is missing a third of school and the daily check that they are well.",
    ),
    (
        12,
        "referral-from-housing",
        "housing",
        "household",
        "Housing officer: rubbish piled in the back garden, rats seen; the children's bedroom has no curtains or bedding.",
        "The children sleep without bedding near rat activity.",
    ),
    (
        11,
        "closed-non-engagement",
        "early_help",
        "kids",
        "Early help closed: family declined further visits. Home conditions not seen since the first visit.",
        "No professional has seen inside the home for a year.",
    ),
    (
        8,
        "domestic-abuse-incident",
        "police",
        "partner",
        "Police called to the address: mother's partner arrested after an argument; the children were upstairs.",
        "The children heard the violence; the man living with them was not known to children's services.",
    ),
    (
        7,
        "untreated-dental-decay",
        "school_nursing",
        "kids",
        "Two of the children have visible decay; no dentist registration for any of them.",
        "The children have toothache and are not getting treatment.",
    ),
    (
        6,
        "missed-health-appointment",
        "gp",
        "young",
        "Child not brought to the asthma clinic for the fourth time; inhaler not collected.",
        "The child's asthma is not controlled; risk of a serious attack.",
    ),
    (
        5,
        "assessment-completed",
        "csc",
        "kids",
        "Assessment completed with the mother only. Mother's partner, who has lived at the address for three years, was not seen or spoken to.",
        "The adult man in the children's home has not been assessed as a risk or as a carer.",
    ),
    (
        4,
        "referral-from-housing",
        "housing",
        "household",
        "Housing officer: dog faeces on the landing, no working cooker, exposed wiring in the kitchen; notice of disrepair served.",
        "The children have no hot food cooked at home and live with a fire risk.",
    ),
    (
        3,
        "closed-non-engagement",
        "csc",
        "kids",
        "Child in need plan closed: family did not engage. Home conditions described in the closure as 'cluttered'.",
        "The word 'cluttered' hides what the children live with; nothing has changed for them.",
    ),
    (
        2,
        "child-hungry",
        "school",
        "young",
        "Child took food from other children's lunch boxes and said there was no food at home.",
        "The child is regularly hungry.",
    ),
    (
        1,
        "child-distress",
        "school",
        "young",
        "Child said she does not like it when the man shouts and hides in the wardrobe.",
        "The child is frightened at home; her own words are recorded.",
    ),
    (
        0.3,
        "home-conditions",
        "csc",
        "household",
        "Home visit: strong smell of urine; mattresses wet; a fire hazard from wiring by the children's beds.",
        "The children sleep on wet mattresses next to a fire hazard.",
    ),
]
FAMILY_B: Script = [
    (
        15,
        "missed-immunisation",
        "health_visiting",
        "eldest",
        "Immunisations 14 months overdue; three letters unanswered.",
        "The child is unprotected against preventable illness.",
    ),
    (
        11,
        "school-absence",
        "school",
        "eldest",
        "Attendance 64%; often arrives after 10am.",
        "The child is missing learning and friendships.",
    ),
    (
        9,
        "late-to-school",
        "school",
        "kids",
        "Children not collected at the end of the day on five occasions this month.",
        "The children wait, unsure whether anyone is coming.",
    ),
    (
        6,
        "icpc",
        "csc",
        "kids",
        "Initial child protection conference: children made subject to plans under the category of neglect.",
        "A plan now sets out what must change for the children to be safe.",
    ),
    (
        5.6,
        "plan-ended",
        "csc",
        "kids",
        "Plan ended at the first review against the social worker's recommendation; stepped down to child in need.",
        "Support reduced before change for the children was shown to last.",
    ),
    (
        3,
        "poor-hygiene",
        "school",
        "young",
        "Child wearing the same clothes all week; shoes two sizes too small.",
        "The child's feet hurt; other children avoid sitting with him.",
    ),
    (
        1.5,
        "untreated-dental-decay",
        "school_nursing",
        "young",
        "Child complaining of toothache; four teeth visibly decayed.",
        "The child is in pain when eating.",
    ),
    (
        0.5,
        "school-absence",
        "school",
        "kids",
        "Attendance for all three children below 80% this term.",
        "The children are missing school and the adults who check on them.",
    ),
]
FAMILY_C: Script = [
    (
        16,
        "referral-received",
        "csc",
        "eldest",
        "Anonymous referral: children seen playing in the road late at night.",
        "The children were outside without an adult at night.",
    ),
    (
        12,
        "animal-welfare",
        "animal_welfare",
        "household",
        "Inspector found three dogs severely underweight and a yard covered in faeces.",
        "Animals in the home are neglected; a known marker of risk to children.",
    ),
    (
        9,
        "doorstep-visit",
        "csc",
        "kids",
        "Doorstep visit only: mother would not allow entry, citing illness in the house.",
        "The home and the children's bedrooms have not been seen.",
    ),
    (
        7,
        "ehe-registered",
        "ehe",
        "young",
        "Mother withdrew the child from school for elective home education after an attendance meeting.",
        "No professional now sees the child regularly.",
    ),
    (
        6,
        "home-visit",
        "ehe",
        "young",
        "EHE officer offered a visit; mother sent a worksheet by email instead. Child not seen.",
        "The child's education and wellbeing cannot be checked.",
    ),
    (
        4,
        "police-welfare-check",
        "police",
        "household",
        "Welfare check after a neighbour heard a child crying for over an hour; no adult answered.",
        "Nobody could confirm who was caring for the children.",
    ),
    (
        2,
        "missed-health-appointment",
        "gp",
        "young",
        "Child not brought to the paediatric appointment for speech delay; discharged back to the GP.",
        "The child's communication needs are not being assessed.",
    ),
    (
        0.8,
        "child-distress",
        "school",
        "eldest",
        "Eldest told the school nurse they do the cooking and look after the younger ones.",
        "The eldest child is caring for siblings instead of being cared for.",
    ),
]
SCRIPTS = (("A", FAMILY_A), ("B", FAMILY_B), ("C", FAMILY_C))


@dataclass
class DemoFamily:
    label: str
    mother_id: int
    child_ids: list[int]  # children under 18 now, eldest first
    grown_ids: list[int]
    partner_ids: list[int]


@dataclass
class DemoFamilies:
    families: dict[str, DemoFamily] = field(default_factory=dict)


def _suitable(fam: SynthFamily, as_of: int) -> bool:
    kids = [c for c in fam.children if c.kind == "child" and c.dob <= as_of]
    return (
        len(fam.children) >= 4
        and len(kids) >= 3
        and as_of - fam.children[0].dob > 17 * YEAR
        and as_of - kids[-1].dob < 9 * YEAR
        and bool(fam.partners)
        and len(fam.homes) >= 3
    )


def build_demo_families(gen: "Generator", rng: random.Random, chunk: "Chunk") -> DemoFamilies:
    """Find three chronic-neglect families with long histories and add each one's scripted chronology."""
    demo = DemoFamilies()
    as_of = gen.as_of
    for label, script in SCRIPTS:
        fam = gen.families.family_with_children(rng, 2)
        while not _suitable(fam, as_of):
            fam = gen.families.family_with_children(rng, 2)
        assert fam.mother is not None
        chunk.families.append(fam)
        gen.episode_builder.build(rng, fam, chunk.episodes)
        for years_ago, code, agency, who, description, impact in script:
            day = as_of - int(years_ago * YEAR)
            under_18 = [c.id for c in fam.children if c.dob <= day < c.dob + 18 * YEAR]
            household = fam.home_at(day) if who == "household" else None
            subjects: tuple[int, ...] = {
                "kids": tuple(under_18),
                "young": tuple(under_18[-1:]),
                "eldest": tuple(under_18[:1]),
                "mother": (fam.mother.id,),
                "partner": (fam.partners[0].id, *under_18),
                "household": () if household else (fam.mother.id,),
            }[who]
            gen.chronology.entry(
                rng,
                chunk.entries,
                day=day,
                code=code,
                agency=agency,
                subject_ids=subjects or (fam.mother.id,),
                household=household,
                text=(description, impact),
                sharing="partnership",
            )
        demo.families[label] = DemoFamily(
            label=label,
            mother_id=fam.mother.id,
            child_ids=[c.id for c in fam.children if c.kind == "child" and c.dob <= as_of],
            grown_ids=[c.id for c in fam.children if c.kind == "adult"],
            partner_ids=[p.id for p in fam.partners],
        )
    return demo


@dataclass
class DemoLogin:
    username: str
    agency: str
    role: str
    sees: str


# username, agency type, role, job title, (family, whom) to be involved with, what they can see
DEMO_USERS = (
    (
        "sw.csc",
        "csc",
        Role.PRACTITIONER,
        "Social worker",
        ("A", "children"),
        "Family A (allocated social worker)",
    ),
    (
        "hv.health",
        "health_visiting",
        Role.PRACTITIONER,
        "Health visitor",
        ("A", "youngest"),
        "Family A",
    ),
    (
        "dsl.school",
        "school",
        Role.PRACTITIONER,
        "Designated safeguarding lead",
        ("B", "eldest"),
        "Family B; refused Family A (try break-glass)",
    ),
    ("police", "police", Role.PRACTITIONER, "Police officer", ("C", "mother"), "Family C"),
    ("housing", "housing", Role.PRACTITIONER, "Housing officer", ("A", "mother"), "Family A"),
    ("ehe.officer", "ehe", Role.PRACTITIONER, "EHE officer", ("C", "youngest"), "Family C"),
    (
        "screener",
        "csc",
        Role.SCREENER,
        "Front-door screener",
        None,
        "Family C (referral under screening), and every family CSC works with",
    ),
    (
        "manager.csc",
        "csc",
        Role.TEAM_MANAGER,
        "Team manager",
        None,
        "Every family CSC works with, incl. Family A",
    ),
    (
        "ig.officer",
        "csc",
        Role.IG_OFFICER,
        "Information-governance officer",
        None,
        "Audit trail and break-glass queue",
    ),
    ("analyst", "csc", Role.ANALYST, "Partnership analyst", None, "Aggregate figures only"),
    ("auditor", "csc", Role.AUDITOR, "Auditor / scrutineer", None, "Aggregate figures only"),
    ("admin", "csc", Role.ADMINISTRATOR, "Administrator", None, "No child records"),
    (
        "lead.csc",
        "csc",
        Role.AGENCY_LEAD,
        "Head of safeguarding",
        None,
        "Children's social care's action plan; no child records",
    ),
    (
        "lead.health",
        "health_visiting",
        Role.AGENCY_LEAD,
        "Named nurse for safeguarding",
        None,
        "Health visiting's action plan; no child records",
    ),
    (
        "lead.police",
        "police",
        Role.AGENCY_LEAD,
        "Detective inspector, safeguarding",
        None,
        "The police's action plan; no child records",
    ),
    (
        "data.quality",
        "csc",
        Role.DATA_QUALITY,
        "Data-quality officer",
        None,
        "The review queue of possible matches; names and dates of birth, no chronologies",
    ),
)


@transaction.atomic
def create_demo_users(demo: DemoFamilies, as_of: date) -> list[DemoLogin]:
    """Demo log-ins sharing one published password, each with the involvements its story needs."""
    agencies = {a.agency_type: a for a in Agency.objects.all()}
    logins: list[DemoLogin] = []
    for username, agency_type, role, title, involvement, sees in DEMO_USERS:
        agency = agencies[agency_type]
        user = User(
            username=username,
            first_name=title,
            last_name="(demo)",
            agency=agency,
            role=role,
            job_title=title,
            email=f"{username}@demo.example.org",
            team=agency.teams.first(),
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        if involvement is not None:
            fam = demo.families[involvement[0]]
            whom = {
                "children": fam.child_ids,
                "youngest": fam.child_ids[-1:],
                "eldest": fam.child_ids[:1],
                "mother": [fam.mother_id],
            }[involvement[1]]
            for person in Person.objects.filter(pk__in=whom):
                record_involvement(
                    by=user,
                    person=person,
                    agency=agency,
                    practitioner=user,
                    role_description=title,
                    is_lead=username == "sw.csc",
                    start_date=as_of.replace(year=as_of.year - 1),
                )
        logins.append(
            DemoLogin(username=username, agency=agency.name, role=Role(role).label, sees=sees)
        )
    _family_a_on_a_plan(demo, as_of, agencies["csc"])
    seed_family_a_toolkit(demo.families["A"].child_ids, as_of)
    seed_action_plans(as_of)
    # Possible matches for the data-quality officer to decide.
    from hearth.linkage.demo import seed_review_queue

    seed_review_queue({label: fam.child_ids for label, fam in demo.families.items()})
    # A referral about Family C's youngest, still at the front door: what the screener sees.
    youngest = demo.families["C"].child_ids[-1]
    Episode.objects.create(
        kind=EpisodeKind.REFERRAL,
        child_id=youngest,
        lead_agency=agencies["csc"],
        start_date=as_of,
        referral_source="2A",
        primary_need="N1",
        screening_status=ScreeningStatus.UNDER_SCREENING,
    )
    return logins


def print_demo_logins(
    write: Callable[[str], None], logins: list[DemoLogin], demo: DemoFamilies
) -> None:
    write("")
    write(f"Demo log-ins (password for all: {DEMO_PASSWORD})")
    write(f"  {'username':<13} {'agency':<38} {'role':<32} can see")
    for login in logins:
        write(f"  {login.username:<13} {login.agency:<38} {login.role:<32} {login.sees}")
    write("")
    write("Demo families (open as sw.csc, hv.health, dsl.school...):")
    for label, fam in demo.families.items():
        write(
            f"  Family {label}: children "
            + ", ".join(f"/people/{pid}/" for pid in fam.child_ids)
            + f"; mother /people/{fam.mother_id}/"
        )


def _family_a_on_a_plan(demo: DemoFamilies, as_of: date, csc: Agency) -> None:
    """Family A's children are on a repeat child protection plan for neglect, as in the reviews."""
    from datetime import timedelta

    for child_id in demo.families["A"].child_ids:
        child = Person.objects.get(pk=child_id)
        age = child.age_on(as_of)
        if age is None or age >= 18:
            continue
        start = as_of - timedelta(days=150)
        referral = Episode.objects.create(
            kind=EpisodeKind.REFERRAL,
            child=child,
            lead_agency=csc,
            start_date=start - timedelta(days=30),
            referral_source="4",
            primary_need="N1",
            screening_status=ScreeningStatus.DECIDED,
        )
        Episode.objects.create(
            kind=EpisodeKind.SECTION_47,
            child=child,
            referral=referral,
            lead_agency=csc,
            start_date=start - timedelta(days=20),
            end_date=start,
            initial_cpc_date=start,
        )
        Episode.objects.create(
            kind=EpisodeKind.CP_PLAN,
            child=child,
            referral=referral,
            lead_agency=csc,
            start_date=start,
            initial_category="NEG",
            latest_category="NEG",
            number_of_previous_cpp=1,
            review_dates=[(start + timedelta(days=90)).isoformat()],
        )
