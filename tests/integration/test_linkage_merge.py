"""Merging two records of one child, and undoing it: everything moves, an unmerge restores exactly
what was there before, and the refusals that keep two children from becoming one."""

import datetime
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from hearth.access.models import BreakGlassGrant, Involvement
from hearth.accounts.models import Role
from hearth.alerts.models import Alert, PendingEvaluation, Rule, RuleVersion
from hearth.audit.models import AuditAction, AuditEvent
from hearth.chronology.models import EntrySubject
from hearth.episodes.models import Episode, EpisodeKind
from hearth.linkage.merge import (
    HISTORY,
    MergeRefused,
    choose_survivor,
    merge_people,
    person_references,
    unmerge,
)
from hearth.linkage.models import LinkEvent, LinkMethod, Merge, SourceRecord
from hearth.people.models import NameType, Person, PersonIdentifier, PersonName, RelationshipType
from hearth.people.search import SearchQuery, search_people
from tests.conftest import page_text, sign_in
from tests.factories.access import InvolvementFactory
from tests.factories.accounts import UserFactory
from tests.factories.chronology import make_entry
from tests.factories.linkage import make_record
from tests.factories.people import PersonFactory, RelationshipFactory, ResidenceFactory
from tests.factories.toolkit import completed_sdq

pytestmark = pytest.mark.django_db

REASON = "Same child: the hospital spelt her name Amie and swapped day and month."


@pytest.fixture
def reviewer(world: Any) -> Any:
    return UserFactory(username="dq", agency=world.csc, role=Role.DATA_QUALITY)


@pytest.fixture
def amie(world: Any) -> Any:
    """Amy as the hospital recorded her: a provisional person with a history of her own."""
    amie = PersonFactory(
        given_name="Amie",
        family_name="Archer",
        date_of_birth=datetime.date(2016, 4, 4),
        nhs_number="9990000018",
    )
    PersonName.objects.create(
        person=amie, name_type=NameType.PREVIOUS, given_name="Amie", family_name="Smith"
    )
    PersonIdentifier.objects.create(person=amie, system="hospital", value="H778812")
    ResidenceFactory(person=amie, address=world.home, start_date=datetime.date(2019, 1, 1))
    RelationshipFactory(
        person=world.mandy,
        relative=amie,
        relationship_type=RelationshipType.MOTHER,
        start_date=datetime.date(2016, 4, 4),
    )
    InvolvementFactory(person=amie, agency=world.health, practitioner=world.bob)
    make_record(amie, source_system="hospital-pas", source_reference="H778812")
    return amie


def _everything(amy: Any, amie: Any, world: Any) -> dict[str, Any]:
    """Rows of every kind pointing at the provisional person, and some that would collide."""
    rule = Rule.objects.get(code="plan-drift")
    version = RuleVersion.objects.get(rule=rule, version=1)
    for child in (amy, amie):  # one open alert per rule and child: these two collide
        Alert.objects.create(
            rule=rule,
            rule_version=version,
            child=child,
            fired_on=datetime.date(2025, 1, 1),
            raised_at=timezone.now(),
            summary="Open too long",
        )
    closed = Alert.objects.create(
        rule=rule,
        rule_version=version,
        child=amie,
        status="closed",
        fired_on=datetime.date(2024, 1, 1),
        raised_at=timezone.now(),
        summary="An earlier one, closed",
    )
    return {
        "entry": make_entry(by=world.bob, subjects=[amie], description="Amie seen at A&E, hungry."),
        "both": make_entry(by=world.bob, subjects=[amy, amie], description="Both names used."),
        "episode": Episode.objects.create(
            kind=EpisodeKind.CIN_PLAN,
            child=amie,
            lead_agency=world.health,
            start_date=datetime.date(2024, 3, 1),
        ),
        "response": completed_sdq(world.bob, amie),
        "closed_alert": closed,
        "record": make_record(amy, source_system="csc-mosaic", source_reference="C100"),
    }


def dump(*people: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row that references either person, model by model, and the people themselves.

    The linkage history (link events, merges) is left out: it is what a merge and its undoing
    add, on purpose."""
    ids = [p.pk for p in people]
    rows: dict[str, list[dict[str, Any]]] = {
        "people.Person": list(Person.objects.filter(pk__in=ids).order_by("pk").values())
    }
    skipped = {"linkage.LinkEvent", "linkage.Merge"}
    for model in apps.get_models():
        if model._meta.label in skipped:
            continue
        for field in model._meta.concrete_fields:
            if getattr(field, "related_model", None) is Person:
                key = f"{model._meta.label}.{field.name}"
                rows[key] = list(
                    model._base_manager.filter(**{f"{field.attname}__in": ids})
                    .order_by("pk")
                    .values()
                )
    return rows


def test_every_reference_to_a_person_is_found_from_the_models():
    found = {(r.label, r.field.name) for r in person_references()}
    assert {
        ("people.PersonName", "person"),
        ("people.PersonIdentifier", "person"),
        ("people.Residence", "person"),
        ("people.Relationship", "person"),
        ("people.Relationship", "relative"),
        ("episodes.Episode", "child"),
        ("chronology.EntrySubject", "person"),
        ("access.Involvement", "person"),
        ("toolkit.ToolResponse", "child"),
        ("toolkit.ToolResponse", "carer"),
        ("toolkit.ResponseSubject", "person"),
        ("plans.PlanAction", "who_person"),
        ("alerts.Alert", "child"),
        ("linkage.SourceRecord", "person"),
        ("people.Person", "merged_into"),
    } <= found
    assert not found & HISTORY
    # Nothing that points at a person is left out unless it is declared history.
    every = {
        (m._meta.label, f.name)
        for m in apps.get_models()
        for f in m._meta.concrete_fields
        if getattr(f, "related_model", None) is Person
    }
    assert every == found | HISTORY


def test_a_merge_moves_everything_and_an_unmerge_restores_exactly_the_previous_state(
    world, amie, reviewer
):
    rows = _everything(world.amy, amie, world)
    before = dump(world.amy, amie)

    merge = merge_people(survivor=world.amy, merged=amie, by=reviewer, reason=REASON)

    amie.refresh_from_db()
    assert amie.merged_into == world.amy
    assert set(world.amy.chronology_entries.all()) == {
        rows["entry"],
        rows["both"],
        rows["response"].chronology_entry,  # the SDQ's own entry
    }
    assert Episode.objects.get(pk=rows["episode"].pk).child == world.amy
    rows["response"].refresh_from_db()
    assert rows["response"].child == world.amy
    assert Involvement.objects.filter(person=world.amy, agency=world.health).exists()
    assert PersonIdentifier.objects.get(value="H778812").person == world.amy
    assert SourceRecord.objects.get(source_reference="H778812").person == world.amy
    assert Alert.objects.get(pk=rows["closed_alert"].pk).child == world.amy
    # The survivor takes the NHS number it lacked, and Amie's name is kept as "also known as".
    world.amy.refresh_from_db()
    assert world.amy.nhs_number == "9990000018"
    assert PersonName.objects.filter(
        person=world.amy, given_name="Amie", family_name="Archer", name_type=NameType.ALIAS
    ).exists()
    # Collisions stay, unchanged, with the merged record: the survivor already has their twin.
    kept = {k["model"]: k for k in merge.snapshot["kept"]}
    assert set(kept) == {"alerts.Alert", "chronology.EntrySubject", "people.Residence"}
    assert EntrySubject.objects.get(entry=rows["both"], person=amie)
    assert Alert.objects.filter(child=amie, status="open").count() == 1
    assert Alert.objects.filter(child=world.amy, status="open").count() == 1
    # Every move is in the snapshot, row by row.
    moved = {(m["model"], m["field"]): m["ids"] for m in merge.snapshot["moved"]}
    assert moved[("chronology.EntrySubject", "person")] == sorted(
        EntrySubject.objects.get(entry=e).pk
        for e in (rows["entry"], rows["response"].chronology_entry)
    )
    assert moved[("people.Relationship", "relative")]  # Mandy is Amy's mother either way
    assert merge.snapshot["people"]["merged"] == {"merged_into": [None, world.amy.pk]}
    # The history of the link, the alert rules and the audit trail all know.
    event = LinkEvent.objects.filter(record__source_reference="H778812").last()
    assert event is not None and event.method == LinkMethod.MERGE
    assert (event.person, event.previous_person, event.by) == (world.amy, amie, reviewer)
    assert PendingEvaluation.objects.filter(person_id=world.amy.pk).exists()
    audited = AuditEvent.objects.filter(action=AuditAction.MERGE_PEOPLE)
    assert {e.person_id for e in audited} == {world.amy.pk, amie.pk}
    assert all(e.details["person_ids"] == [world.amy.pk, amie.pk] for e in audited)

    unmerge(merge=merge, by=reviewer, reason="The GP says these are two different girls.")

    assert dump(world.amy, amie) == before
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == reviewer
    assert merge.snapshot["undone"]["missing"] == {}
    event = LinkEvent.objects.filter(record__source_reference="H778812").last()
    assert event is not None and event.method == LinkMethod.UNMERGE
    assert event.person == amie
    assert {e.person_id for e in AuditEvent.objects.filter(action=AuditAction.UNMERGE_PEOPLE)} == {
        world.amy.pk,
        amie.pk,
    }


def test_rows_recorded_after_the_merge_stay_with_the_survivor_when_it_is_undone(
    world, amie, reviewer
):
    merge = merge_people(survivor=world.amy, merged=amie, by=reviewer, reason=REASON)
    later = make_entry(by=world.alice, subjects=[world.amy], description="Seen after the merge.")
    unmerge(merge=merge, by=reviewer, reason="Wrong child.")
    assert list(later.subjects.all()) == [world.amy]


def test_a_merge_chain_is_undone_newest_first(world, amie, reviewer):
    third = PersonFactory(given_name="Aimee", family_name="Archer")
    first = merge_people(survivor=amie, merged=third, by=reviewer, reason="Same girl.")
    second = merge_people(survivor=world.amy, merged=amie, by=reviewer, reason=REASON)
    third.refresh_from_db()
    assert third.merged_into == world.amy  # follows the person it was merged into
    with pytest.raises(MergeRefused, match="undo that merge first"):
        unmerge(merge=first, by=reviewer, reason="Wrong.")
    unmerge(merge=second, by=reviewer, reason="Wrong.")
    third.refresh_from_db()
    assert third.merged_into == amie
    unmerge(merge=first, by=reviewer, reason="Wrong.")
    third.refresh_from_db()
    assert third.merged_into is None


@pytest.mark.parametrize(
    "case", ["themself", "already_merged", "siblings", "no_reason", "not_a_reviewer"]
)
def test_merges_that_must_not_happen_are_refused_and_change_nothing(world, amie, reviewer, case):
    survivor, merged, by, reason = world.amy, amie, reviewer, REASON
    if case == "themself":
        merged = world.amy
    elif case == "already_merged":
        merge_people(survivor=world.amy, merged=amie, by=reviewer, reason=REASON)
        survivor, merged = world.zara, amie
    elif case == "siblings":  # twins and siblings are two people, however alike
        merged = world.ben
    elif case == "no_reason":
        reason = "  "
    else:
        by = world.alice
    merges_before = Merge.objects.count()
    before = dump(world.amy, amie, world.ben, world.zara)
    error = PermissionDenied if case == "not_a_reviewer" else MergeRefused
    with pytest.raises(error):
        merge_people(survivor=survivor, merged=merged, by=by, reason=reason)
    assert Merge.objects.count() == merges_before
    assert dump(world.amy, amie, world.ben, world.zara) == before


def test_an_undone_merge_cannot_be_undone_twice(world, amie, reviewer):
    merge = merge_people(survivor=world.amy, merged=amie, by=reviewer, reason=REASON)
    unmerge(merge=merge, by=reviewer, reason="Wrong.")
    with pytest.raises(MergeRefused, match="already been undone"):
        unmerge(merge=merge, by=reviewer, reason="Again.")


def test_the_survivor_is_the_person_hearth_has_known_longer(world, amie):
    assert choose_survivor(amie, world.amy) == (world.amy, amie)
    assert choose_survivor(world.amy, amie) == (world.amy, amie)


def test_a_merged_childs_page_redirects_to_the_survivor(world, amie, reviewer):
    merge_people(survivor=world.amy, merged=amie, by=reviewer, reason=REASON)
    client = sign_in(Client(), world.alice)
    response = client.get(f"/people/{amie.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{world.amy.pk}/"
    assert client.get(f"/people/{amie.pk}/household/")["Location"] == (
        f"/people/{world.amy.pk}/household/"
    )


def test_someone_who_may_not_see_the_survivor_gets_not_found_for_the_merged_record(
    world, amie, reviewer
):
    merge_people(survivor=world.amy, merged=amie, by=reviewer, reason=REASON)
    response = sign_in(Client(), world.charlie).get(f"/people/{amie.pk}/")
    assert response.status_code == 404
    for value in ("Amie", "Amy", "Archer", "1 Test Street"):
        assert value not in page_text(response)


def test_breaking_glass_on_a_merged_record_opens_the_survivor(world, amie, reviewer):
    merge_people(survivor=world.amy, merged=amie, by=reviewer, reason=REASON)
    client = sign_in(Client(), world.charlie)
    client.post(
        f"/access/break-glass/{amie.pk}/",
        {"reason_category": "immediate_risk", "justification": "Police at the door at 2am, now."},
    )
    grant = BreakGlassGrant.objects.get(user=world.charlie)
    assert grant.person == world.amy
    response = client.get(f"/people/{amie.pk}/", follow=True)
    assert response.redirect_chain[-1][0] == f"/people/{world.amy.pk}/"
    assert response.status_code == 200


def test_search_shows_the_survivor_and_never_the_merged_record(world, amie, reviewer):
    bob_sees = {p.pk for p in search_people(world.bob, SearchQuery(name="Amie Archer"))}
    assert amie.pk in bob_sees
    merge_people(survivor=world.amy, merged=amie, by=reviewer, reason=REASON)
    for query in (SearchQuery(name="Amie Archer"), SearchQuery(nhs_number="999 000 0018")):
        found = {p.pk for p in search_people(world.bob, query)}
        assert amie.pk not in found
        assert world.amy.pk in found
