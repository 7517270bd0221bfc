"""The partnership: one agency of each type, with teams and practitioners in proportion to the population."""

import random

from django.contrib.auth.hashers import make_password

from hearth.accounts.models import Role, User
from hearth.agencies.models import Agency, AgencyType, Team
from hearth.synth.population import name_lists

AGENCY_DETAILS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # agency type: (name, source system, teams)
    AgencyType.CHILDRENS_SOCIAL_CARE: (
        "Countyshire Children's Services",
        "mosaic",
        (
            "Front Door (MASH)",
            "Assessment Team",
            "Family Safeguarding North",
            "Family Safeguarding South",
        ),
    ),
    AgencyType.EARLY_HELP: (
        "Countyshire Early Help",
        "mosaic-eh",
        ("Family Support East", "Family Support West"),
    ),
    AgencyType.POLICE: (
        "Countyshire Police",
        "niche",
        ("Public Protection Unit", "Neighbourhood Policing"),
    ),
    AgencyType.HEALTH_VISITING: (
        "Countyshire Health Visiting Service",
        "systmone",
        ("Health Visiting North", "Health Visiting South"),
    ),
    AgencyType.SCHOOL_NURSING: ("Countyshire School Nursing", "systmone-sn", ("School Nursing",)),
    AgencyType.GP: ("Downs Medical Group", "emis", ("Practice Safeguarding",)),
    AgencyType.ACUTE_HOSPITAL: (
        "County General Hospital",
        "cerner",
        ("Emergency Department", "Paediatrics"),
    ),
    AgencyType.CAMHS: ("Countyshire CAMHS", "rio", ("CAMHS Community",)),
    AgencyType.ADULT_MENTAL_HEALTH: (
        "Countyshire Adult Mental Health",
        "rio-amh",
        ("Crisis Team", "Community Mental Health"),
    ),
    AgencyType.SUBSTANCE_MISUSE: ("Pathways Recovery Service", "nebula", ("Recovery Team",)),
    AgencyType.SCHOOL: ("Countyshire Schools", "cpoms", ("Primary DSLs", "Secondary DSLs")),
    AgencyType.EHE_TEAM: ("Elective Home Education Team", "capita-one", ("EHE Officers",)),
    AgencyType.HOUSING: (
        "Countyshire Homes",
        "orchard",
        ("Tenancy Sustainment", "Estate Management"),
    ),
    AgencyType.VOLUNTARY: ("Family Links (voluntary sector)", "charitylog", ("Family Links",)),
    AgencyType.PROBATION: ("Probation Service (Countyshire)", "ndelius", ("Offender Management",)),
    AgencyType.ANIMAL_WELFARE: ("Animal Welfare Service", "aws", ("Inspectors",)),
}
JOB_TITLES = {
    "csc": "Social worker",
    "early_help": "Family worker",
    "police": "Police officer",
    "health_visiting": "Health visitor",
    "school_nursing": "School nurse",
    "gp": "GP",
    "acute": "Paediatric liaison nurse",
    "camhs": "CAMHS practitioner",
    "adult_mh": "Mental health nurse",
    "substance": "Recovery worker",
    "school": "Designated safeguarding lead",
    "ehe": "EHE officer",
    "housing": "Housing officer",
    "voluntary": "Family support worker",
    "probation": "Probation officer",
    "animal_welfare": "Animal welfare inspector",
}
UNUSABLE_PASSWORD = make_password(None)


def create_agencies() -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for agency_type, (name, system, teams) in AGENCY_DETAILS.items():
        code = str(agency_type).replace("_", "-")
        agency = Agency.objects.create(
            code=code,
            name=name,
            agency_type=agency_type,
            source_system=system,
            phone=f"01632 96{len(agencies):04d}",
            email=f"safeguarding@{code}.example.org",
        )
        Team.objects.bulk_create([Team(agency=agency, name=t) for t in teams])
        agencies[str(agency_type)] = agency
    return agencies


def create_practitioners(
    rng: random.Random, agencies: dict[str, Agency], people: int
) -> dict[str, list[tuple[int, str]]]:
    """Practitioners for every agency (about one per 400 residents for each); returns (id, name) by agency type."""
    female, male, surnames = name_lists()
    per_agency = max(4, people // 400)
    users: list[User] = []
    for agency_type, agency in agencies.items():
        teams = list(agency.teams.all())
        for i in range(per_agency):
            given = rng.choice(female if rng.random() < 0.7 else male)
            family = rng.choice(surnames)
            role = Role.TEAM_MANAGER if i % 12 == 0 else Role.PRACTITIONER
            if agency_type == "csc" and i % 12 == 1:
                role = Role.SCREENER
            users.append(
                User(
                    username=f"{agency.code}.{i + 1:05d}",
                    first_name=given,
                    last_name=family,
                    email=f"{given.lower()}.{family.lower()}{i}@{agency.code}.example.org",
                    password=UNUSABLE_PASSWORD,
                    agency=agency,
                    team=teams[i % len(teams)],
                    role=role,
                    job_title=JOB_TITLES[agency_type],
                    phone=f"07700 9{i % 100000:05d}",
                )
            )
    User.objects.bulk_create(users, batch_size=2000)
    result: dict[str, list[tuple[int, str]]] = {t: [] for t in agencies}
    for user_id, agency_type, first, last in User.objects.filter(agency__isnull=False).values_list(
        "id", "agency__agency_type", "first_name", "last_name"
    ):
        result[agency_type].append((user_id, f"{first} {last}"))
    return result
