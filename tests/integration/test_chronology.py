"""The merged multi-agency chronology: append-only, across siblings and households, with sharing levels."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hearth.chronology import actions
from hearth.chronology.models import (
    ChronologyEntry,
    EntryStatus,
    EntryVersion,
    EventType,
    SharingLevel,
)
from hearth.chronology.queries import ChronologyFilters, merged_chronology
from hearth.people.households import family_ids
from tests.conftest import sign_in
from tests.factories.chronology import make_entry

pytestmark = pytest.mark.django_db


def chronology_for(user, child):
    return merged_chronology(user, child_id=child.pk, person_ids=family_ids(child.pk))


def test_entry_added_in_the_browser_form_appears_on_the_siblings_chronology(client, world):
    sign_in(client, world.alice)
    response = client.post(
        reverse("chronology:add", args=[world.amy.pk]),
        {
            "subjects": [world.amy.pk],
            "event_date": "2025-02-03",
            "date_accuracy": "day",
            "event_type": EventType.objects.get(code="home-conditions").pk,
            "description": "Strong smell of urine; dog faeces on the kitchen floor; no food in the fridge.",
            "impact_on_child": "Amy has nowhere clean to eat or play.",
            "sharing_level": SharingLevel.PARTNERSHIP,
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("people:detail", args=[world.ben.pk])).content.decode()
    assert "dog faeces on the kitchen floor" in page
    assert "Amy has nowhere clean to eat or play." in page


def test_household_entry_appears_on_every_childs_chronology(world):
    entry = make_entry(
        by=world.bob, household=world.home, description="Housing: boiler broken for three weeks."
    )
    for child in (world.amy, world.ben):
        assert entry in chronology_for(world.alice, child).entries
    assert entry not in chronology_for(world.charlie, world.zara).entries


def test_household_entry_from_before_a_child_moved_in_is_not_on_their_chronology(world):
    entry = make_entry(by=world.bob, household=world.home, event_date=datetime.date(2018, 6, 1))
    assert entry not in chronology_for(world.alice, world.amy).entries


def test_entries_about_the_mothers_partner_show_on_the_childs_chronology(world):
    entry = make_entry(
        by=world.alice,
        subjects=[world.dean],
        description="Police: Dean arrested for assault outside the home.",
    )
    assert entry in chronology_for(world.alice, world.amy).entries


def test_chronology_is_newest_first_and_counts_by_agency(world):
    old = make_entry(by=world.alice, subjects=[world.amy], event_date=datetime.date(2021, 1, 1))
    new = make_entry(by=world.bob, subjects=[world.ben], event_date=datetime.date(2025, 1, 1))
    result = chronology_for(world.alice, world.amy)
    assert result.entries[:2] == [new, old]
    assert {c["agency__name"]: c["n"] for c in result.counts_by_agency} == {
        "Children's Social Care": 1,
        "Health Visiting": 1,
    }
    assert result.total == 2


def test_filters_by_agency_domain_and_period(world):
    hungry = make_entry(by=world.alice, subjects=[world.amy], event_date=datetime.date(2024, 5, 1))
    absent = make_entry(
        by=world.bob,
        subjects=[world.amy],
        event_type=EventType.objects.get(code="school-absence"),
        event_date=datetime.date(2025, 5, 1),
    )
    ids = family_ids(world.amy.pk)
    by_agency = merged_chronology(
        world.alice,
        child_id=world.amy.pk,
        person_ids=ids,
        filters=ChronologyFilters(agency_ids=[world.health.pk]),
    )
    assert by_agency.entries == [absent]
    by_domain = merged_chronology(
        world.alice,
        child_id=world.amy.pk,
        person_ids=ids,
        filters=ChronologyFilters(domains=["physical_care"]),
    )
    assert by_domain.entries == [hungry]
    by_period = merged_chronology(
        world.alice,
        child_id=world.amy.pk,
        person_ids=ids,
        filters=ChronologyFilters(date_to=datetime.date(2024, 12, 31)),
    )
    assert by_period.entries == [hungry]


def test_own_agency_entry_is_hidden_from_other_agencies(world):
    entry = make_entry(by=world.bob, subjects=[world.amy], sharing_level=SharingLevel.OWN_AGENCY)
    assert entry not in chronology_for(world.alice, world.amy).entries
    assert entry in chronology_for(world.bob, world.amy).entries


def test_restricted_entry_is_visible_only_to_named_roles(world):
    entry = make_entry(
        by=world.alice,
        subjects=[world.amy],
        sharing_level=SharingLevel.RESTRICTED,
        restricted_roles=["team_manager"],
    )
    assert entry in chronology_for(world.mike, world.amy).entries
    assert entry not in chronology_for(world.bob, world.amy).entries
    # The author always sees what they wrote.
    assert entry in chronology_for(world.alice, world.amy).entries


def test_amendment_keeps_the_original(world):
    entry = make_entry(by=world.alice, subjects=[world.amy], description="Poor home conditions.")
    actions.amend_entry(
        by=world.alice,
        entry=entry,
        reason="Say what was seen, not a summary",
        description="Unsanitary, with a foul smell; exposed wiring is a fire hazard.",
    )
    versions = list(EntryVersion.objects.filter(entry=entry).order_by("version"))
    assert [v.description for v in versions] == [
        "Poor home conditions.",
        "Unsanitary, with a foul smell; exposed wiring is a fire hazard.",
    ]
    assert versions[1].reason == "Say what was seen, not a summary"
    entry.refresh_from_db()
    assert entry.version == 2 and entry.description.startswith("Unsanitary")


def test_amendment_history_is_visible_on_the_history_page(client, world):
    entry = make_entry(by=world.alice, subjects=[world.amy], description="Cluttered house.")
    actions.amend_entry(
        by=world.alice,
        entry=entry,
        reason="More precise",
        description="Rubbish bags block the stairs.",
    )
    sign_in(client, world.alice)
    page = client.get(reverse("chronology:history", args=[world.amy.pk, entry.pk])).content.decode()
    assert (
        "Cluttered house." in page
        and "Rubbish bags block the stairs." in page
        and "More precise" in page
    )


def test_retraction_needs_a_reason_and_keeps_the_entry(world):
    entry = make_entry(by=world.alice, subjects=[world.amy])
    with pytest.raises(ValidationError):
        actions.retract_entry(by=world.alice, entry=entry, reason="  ")
    actions.retract_entry(by=world.alice, entry=entry, reason="Recorded on the wrong child")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RETRACTED
    assert ChronologyEntry.objects.filter(pk=entry.pk).exists()
    assert entry not in chronology_for(world.alice, world.amy).entries
    shown = merged_chronology(
        world.alice,
        child_id=world.amy.pk,
        person_ids=family_ids(world.amy.pk),
        filters=ChronologyFilters(include_retracted=True),
    )
    assert entry in shown.entries


def test_only_the_recording_agency_can_amend(world):
    entry = make_entry(by=world.alice, subjects=[world.amy])
    with pytest.raises(PermissionDenied):
        actions.amend_entry(
            by=world.bob, entry=entry, reason="I disagree", description="Something else"
        )


def test_future_dates_and_empty_descriptions_are_refused_with_clear_errors(client, world):
    sign_in(client, world.alice)
    response = client.post(
        reverse("chronology:add", args=[world.amy.pk]),
        {
            "subjects": [world.amy.pk],
            "event_date": (datetime.date.today() + datetime.timedelta(days=3)).isoformat(),
            "date_accuracy": "day",
            "event_type": EventType.objects.get(code="home-visit").pk,
            "description": "",
            "impact_on_child": "",
            "sharing_level": SharingLevel.PARTNERSHIP,
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert not ChronologyEntry.objects.exists()


def test_entry_on_another_familys_chronology_cannot_be_opened_through_this_child(client, world):
    entry = make_entry(by=world.charlie, subjects=[world.zara])
    sign_in(client, world.alice)
    response = client.get(reverse("chronology:history", args=[world.amy.pk, entry.pk]))
    assert response.status_code == 404


def test_a_long_chronology_pages_to_older_entries(client, world):
    first = make_entry(
        by=world.alice,
        subjects=[world.amy],
        event_date=datetime.date(2020, 1, 1),
        description="The oldest entry.",
    )
    for day in range(1, 4):
        make_entry(by=world.alice, subjects=[world.amy], event_date=datetime.date(2024, 1, day))
    page = merged_chronology(
        world.alice, child_id=world.amy.pk, person_ids=family_ids(world.amy.pk), limit=2, offset=2
    )
    assert (
        page.total == 4
        and page.last_shown == 4
        and page.next_offset is None
        and page.previous_offset == 0
    )
    assert page.entries[-1] == first
    sign_in(client, world.alice)
    body = client.get(reverse("people:detail", args=[world.amy.pk]), {"offset": 2}).content.decode()
    assert "showing 3 to 4" in body
    assert "The oldest entry." in body
    assert "Newer entries" in body
