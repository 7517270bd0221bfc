"""`hearth generate`: deterministic, valid, calibrated synthetic data, and demo log-ins."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from hearth.access.models import Involvement
from hearth.access.scoping import can_access_person
from hearth.accounts.models import Role, User
from hearth.alerts.models import Rule
from hearth.chronology.models import ChronologyEntry, EntrySubject, EntryVersion, SharingLevel
from hearth.episodes.models import Episode, EpisodeKind
from hearth.lib.identifiers import is_valid_nhs_number, is_valid_postcode, is_valid_upn
from hearth.people.models import Address, Person, PersonKind, Relationship, Residence
from hearth.synth import generator as gen
from hearth.synth.bulk import reset_database
from hearth.synth.calibration import measure
from hearth.synth.demo import DEMO_USERS, create_demo_users
from hearth.synth.generator import Generator
from hearth.toolkit.models import Tool

AS_OF = date(2026, 3, 31)


def generate(
    people: int = 3_000, entries: int | None = None, seed: int = 1, demo: bool = False
) -> Generator:
    generator = Generator(
        people=people, entries=entries or people * 10, seed=seed, as_of=AS_OF, demo_families=demo
    )
    generator.result = generator.run()  # type: ignore[attr-defined]
    return generator


def snapshot() -> dict[str, object]:
    return {
        "people": list(
            Person.objects.order_by("id").values_list(
                "id", "given_name", "family_name", "date_of_birth", "nhs_number"
            )
        ),
        "entries": list(
            ChronologyEntry.objects.order_by("id").values_list(
                "id", "event_date", "agency__code", "description"
            )
        ),
        "episodes": list(
            Episode.objects.order_by("id").values_list(
                "id", "kind", "child_id", "start_date", "end_date"
            )
        ),
        "residences": Residence.objects.count(),
        "relationships": Relationship.objects.count(),
    }


@pytest.mark.django_db
def test_same_seed_gives_identical_data_and_another_seed_does_not() -> None:
    generate(seed=5)
    first = snapshot()
    reset_database()
    generate(seed=5)
    assert snapshot() == first
    reset_database()
    generate(seed=6)
    other = snapshot()
    assert other["people"] != first["people"]


@pytest.mark.django_db
def test_sizes_follow_the_parameters() -> None:
    generate(people=3_000, entries=12_000)
    assert Person.objects.count() == pytest.approx(3_000, abs=15)
    assert ChronologyEntry.objects.count() == pytest.approx(12_000, rel=0.02)


@pytest.mark.django_db
def test_every_identifier_is_valid_and_unique() -> None:
    generate()
    nhs = list(Person.objects.exclude(nhs_number="").values_list("nhs_number", flat=True))
    upns = list(Person.objects.exclude(upn="").values_list("upn", flat=True))
    postcodes = list(Address.objects.values_list("postcode", flat=True))
    assert len(nhs) > 2_000 and len(upns) > 200
    assert all(n.startswith("999") and is_valid_nhs_number(n) for n in nhs)
    assert all(is_valid_upn(u) for u in upns)
    assert all(is_valid_postcode(p) for p in postcodes)
    assert len(set(nhs)) == len(nhs) and len(set(upns)) == len(upns)


@pytest.mark.django_db
def test_entries_have_one_original_version_and_subject_dates_mirror_the_entry() -> None:
    generate()
    assert not EntrySubject.objects.exclude(event_date=F("entry__event_date")).exists()
    versions = (
        ChronologyEntry.objects.annotate(n=Count("versions")).values_list("n", flat=True).distinct()
    )
    assert list(versions) == [1]
    assert not EntryVersion.objects.exclude(kind="original", version=1).exists()
    assert not EntryVersion.objects.exclude(description=F("entry__description")).exists()
    # Every entry is about somebody: subjects, or a household.
    assert not ChronologyEntry.objects.filter(
        household__isnull=True, subject_links__isnull=True
    ).exists()


@pytest.mark.django_db
def test_families_have_realistic_structure_and_entries_use_every_sharing_level() -> None:
    generate(people=5_000)
    types = set(Relationship.objects.values_list("relationship_type", flat=True))
    assert {
        "mother",
        "father",
        "sibling",
        "half_sibling",
        "parents_partner",
        "step_parent",
        "grandparent",
    } <= types
    movers = Residence.objects.values("person_id").annotate(n=Count("id")).filter(n__gte=3).count()
    assert movers > 100
    assert Residence.objects.filter(
        person__sex="M", person__kind="adult", end_date__isnull=False
    ).exists()
    assert ChronologyEntry.objects.filter(household__isnull=False).count() > 100
    levels = set(ChronologyEntry.objects.values_list("sharing_level", flat=True))
    assert levels == {SharingLevel.PARTNERSHIP, SharingLevel.OWN_AGENCY, SharingLevel.RESTRICTED}
    restricted = ChronologyEntry.objects.filter(sharing_level=SharingLevel.RESTRICTED).values_list(
        "restricted_roles", flat=True
    )
    assert all(r.startswith(",") and r.endswith(",") and len(r) > 2 for r in restricted)
    assert ChronologyEntry.objects.values("agency").distinct().count() >= 12
    open_cases = Episode.objects.filter(kind=EpisodeKind.REFERRAL, end_date__isnull=True).values(
        "child_id"
    )
    assert Involvement.objects.filter(
        person_id__in=open_cases, end_date__isnull=True, is_lead=True
    ).exists()
    assert Involvement.objects.filter(end_date__isnull=False).exists()


@pytest.mark.django_db
def test_calibrated_to_england_2024_25() -> None:
    generate(people=60_000, entries=60_000, seed=gen.DEFAULT_SEED)
    figures = measure(AS_OF)
    assert figures.children == pytest.approx(0.22 * 60_000, rel=0.1)
    assert figures.referrals_per_child_year == pytest.approx(0.052, rel=0.2)
    assert figures.cin_rate_at_census == pytest.approx(0.033, rel=0.2)
    assert 0.0025 <= figures.cp_rate_at_census <= 0.0065
    assert 0.35 <= figures.cp_neglect_share <= 0.65
    assert 0.10 <= figures.cp_repeat_share <= 0.40
    assert 0.06 <= figures.cp_ended_within_3_months <= 0.30
    # CIN census structure: stages point back at a referral of the same child; RC codes close referrals.
    stages = Episode.objects.exclude(kind__in=[EpisodeKind.REFERRAL, EpisodeKind.EARLY_HELP_PLAN])
    assert not stages.filter(
        Q(referral__isnull=True) | ~Q(referral__child_id=F("child_id"))
    ).exists()
    reasons = set(
        Episode.objects.filter(kind=EpisodeKind.REFERRAL)
        .exclude(end_reason="")
        .values_list("end_reason", flat=True)
    )
    assert reasons <= {f"RC{i}" for i in range(1, 9)} and {"RC7", "RC8"} <= reasons
    assert Episode.objects.filter(screening_status="screening").exists()
    factors = Episode.objects.filter(kind=EpisodeKind.ASSESSMENT).values_list("factors", flat=True)
    assert any("16A" in f for f in factors)


@pytest.mark.django_db
def test_demo_users_cover_every_role_and_six_agencies_and_see_only_their_families() -> None:
    generator = generate(demo=True)
    demo = generator.result.demo["families"]  # type: ignore[attr-defined]
    create_demo_users(demo, AS_OF)
    users = User.objects.filter(username__in=[u[0] for u in DEMO_USERS])
    assert {u.role for u in users} == set(Role.values)
    assert users.values("agency").distinct().count() >= 6
    family_a = Person.objects.get(pk=demo.families["A"].child_ids[0])
    family_b = Person.objects.get(pk=demo.families["B"].child_ids[0])
    dsl = users.get(username="dsl.school")
    assert can_access_person(users.get(username="sw.csc"), family_a)
    assert can_access_person(dsl, family_b)
    assert not can_access_person(dsl, family_a)
    assert users.get(username="sw.csc").check_password("hearth-demo-only-not-secret")
    # The long-history family: decades of entries, non-engagement closures, a housing provider.
    a_entries = ChronologyEntry.objects.filter(
        subject_links__person_id__in=demo.families["A"].child_ids
    ).distinct()
    span = a_entries.order_by("event_date").values_list("event_date", flat=True)
    assert (span.last() - span.first()).days > 15 * 365
    assert a_entries.filter(event_type__code="closed-non-engagement").count() >= 2
    assert ChronologyEntry.objects.filter(
        agency__agency_type="housing", household__isnull=False
    ).exists()


@pytest.mark.django_db
def test_command_refuses_a_database_that_already_holds_people() -> None:
    call_command("generate", people=300, entries=1_000, demo_users=False, stdout=io.StringIO())
    with pytest.raises(CommandError, match="--reset"):
        call_command("generate", people=300, entries=1_000, demo_users=False)
    tools, rules = Tool.objects.count(), Rule.objects.count()
    call_command(
        "generate",
        people=300,
        entries=1_000,
        demo_users=False,
        reset=True,
        stdout=io.StringIO(),
    )
    assert Person.objects.filter(kind=PersonKind.CHILD).exists()
    # Published definitions are not records: the reset keeps them.
    assert (Tool.objects.count(), Rule.objects.count()) == (tools, rules) and tools and rules


def test_generator_columns_exist_on_the_models() -> None:
    for model, columns in (
        (gen.Person, gen.PERSON_COLUMNS),
        (gen.PersonName, gen.NAME_COLUMNS),
        (gen.Address, gen.ADDRESS_COLUMNS),
        (gen.Residence, gen.RESIDENCE_COLUMNS),
        (gen.Relationship, gen.RELATIONSHIP_COLUMNS),
        (gen.Episode, gen.EPISODE_COLUMNS),
        (gen.Involvement, gen.INVOLVEMENT_COLUMNS),
        (gen.ChronologyEntry, gen.ENTRY_COLUMNS),
        (gen.EntryVersion, gen.VERSION_COLUMNS),
        (gen.EntrySubject, gen.SUBJECT_COLUMNS),
    ):
        assert set(columns) <= {f.column for f in model._meta.concrete_fields}, model
