"""Every read and write of a child's record leaves exactly one audit row, written in the same
transaction as the action (if the audit write fails, the request fails), and information
governance can ask who has seen a record and what a user saw.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.audit.models import AuditAction, AuditEvent
from hearth.chronology.models import (
    ChronologyEntry,
    EntryStatus,
    EntrySubject,
    EntryVersion,
    EventType,
    SharingLevel,
)
from tests.conftest import page_text, sign_in
from tests.factories.chronology import make_entry

pytestmark = pytest.mark.django_db


@contextmanager
def audit_rows_written() -> Iterator[list[AuditEvent]]:
    """The audit rows written inside the block, oldest first."""
    before = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
    rows: list[AuditEvent] = []
    yield rows
    rows.extend(AuditEvent.objects.filter(id__gt=before).order_by("id"))


def signed_in(user: Any, **client_options: Any) -> Client:
    return sign_in(Client(**client_options), user)


def entry_form(world: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "subjects": [world.amy.pk],
        "event_date": "2025-02-03",
        "date_accuracy": "day",
        "event_type": EventType.objects.get(code="home-conditions").pk,
        "description": "Strong smell of urine; dog faeces on the kitchen floor; no food in the fridge.",
        "impact_on_child": "Amy has nowhere clean to eat or play.",
        "sharing_level": SharingLevel.PARTNERSHIP,
    }
    return {**data, **overrides}


def the_one_row(rows: list[AuditEvent]) -> AuditEvent:
    assert len(rows) == 1, [(r.action, r.person_id) for r in rows]
    return rows[0]


# --- Reads ---------------------------------------------------------------------------------------


def test_opening_a_childs_page_leaves_exactly_one_view_row(world):
    client = signed_in(world.alice)
    with audit_rows_written() as rows:
        response = client.get(reverse("people:detail", args=[world.amy.pk]))
    assert response.status_code == 200
    row = the_one_row(rows)
    assert (row.action, row.person_id) == (AuditAction.VIEW_PERSON, world.amy.pk)
    assert (row.actor_id, row.actor_username, row.actor_agency, row.actor_role) == (
        world.alice.pk,
        "alice",
        "csc",
        world.alice.role,
    )
    assert row.path == reverse("people:detail", args=[world.amy.pk])
    assert row.details["basis"] == "involvement"


def test_filtering_a_childs_chronology_is_a_read_too(world):
    client = signed_in(world.alice)
    with audit_rows_written() as rows:
        client.get(reverse("people:detail", args=[world.amy.pk]), {"date_from": "2024-01-01"})
    assert the_one_row(rows).action == AuditAction.VIEW_PERSON


def test_the_api_record_leaves_exactly_one_view_row(world):
    client = signed_in(world.alice)
    with audit_rows_written() as rows:
        assert client.get(reverse("api:person_record", args=[world.amy.pk])).status_code == 200
    row = the_one_row(rows)
    assert (row.action, row.person_id, row.actor_id) == (
        AuditAction.VIEW_PERSON,
        world.amy.pk,
        world.alice.pk,
    )


def test_the_household_view_leaves_exactly_one_row(world):
    client = signed_in(world.alice)
    with audit_rows_written() as rows:
        assert client.get(reverse("people:household", args=[world.amy.pk])).status_code == 200
    row = the_one_row(rows)
    assert (row.action, row.person_id, row.actor_id) == (
        AuditAction.VIEW_HOUSEHOLD,
        world.amy.pk,
        world.alice.pk,
    )


def test_a_search_leaves_exactly_one_row_naming_everyone_it_showed(world):
    client = signed_in(world.alice)
    with audit_rows_written() as rows:
        response = client.get(reverse("people:search"), {"name": "Archer"})
    row = the_one_row(rows)
    assert (row.action, row.actor_id) == (AuditAction.SEARCH, world.alice.pk)
    shown = {p.pk for p in response.context["results"]}
    assert shown == {world.mandy.pk, world.amy.pk, world.ben.pk}
    assert set(row.details["person_ids"]) == shown
    assert row.details["query"]["name"] == "Archer"


def test_a_search_that_shows_nobody_is_still_audited(world):
    client = signed_in(world.charlie)
    with audit_rows_written() as rows:
        client.get(reverse("people:search"), {"name": "Archer"})
    row = the_one_row(rows)
    assert (row.action, row.details["person_ids"]) == (AuditAction.SEARCH, [])


def test_an_entrys_history_leaves_exactly_one_row(world):
    entry = make_entry(by=world.alice, subjects=[world.amy])
    client = signed_in(world.alice)
    with audit_rows_written() as rows:
        assert (
            client.get(reverse("chronology:history", args=[world.amy.pk, entry.pk])).status_code
            == 200
        )
    row = the_one_row(rows)
    assert (row.action, row.person_id, row.details["entry_id"]) == (
        AuditAction.VIEW_ENTRY_HISTORY,
        world.amy.pk,
        entry.pk,
    )


@pytest.mark.parametrize("form", ["add", "amend", "retract"])
def test_opening_an_entry_form_is_a_read_of_the_record(world, form):
    entry = make_entry(by=world.alice, subjects=[world.amy])
    args = [world.amy.pk] if form == "add" else [world.amy.pk, entry.pk]
    client = signed_in(world.alice)
    with audit_rows_written() as rows:
        assert client.get(reverse(f"chronology:{form}", args=args)).status_code == 200
    row = the_one_row(rows)
    assert (row.action, row.person_id, row.details["form"]) == (
        AuditAction.VIEW_PERSON,
        world.amy.pk,
        form,
    )


def test_a_rejected_entry_form_shows_the_record_again_and_is_audited_as_a_read(world):
    client = signed_in(world.alice)
    with audit_rows_written() as rows:
        response = client.post(
            reverse("chronology:add", args=[world.amy.pk]), entry_form(world, description="")
        )
    assert response.status_code == 200
    assert "Amy Archer" in page_text(response)
    assert the_one_row(rows).action == AuditAction.VIEW_PERSON


# --- Writes --------------------------------------------------------------------------------------


def test_adding_an_entry_leaves_exactly_one_create_row(world):
    client = signed_in(world.alice)
    with audit_rows_written() as rows:
        response = client.post(reverse("chronology:add", args=[world.amy.pk]), entry_form(world))
    assert response.status_code == 302
    entry = ChronologyEntry.objects.get()
    row = the_one_row(rows)
    assert (row.action, row.person_id, row.object_type, row.object_id) == (
        AuditAction.CREATE_ENTRY,
        world.amy.pk,
        "chronology_entry",
        str(entry.pk),
    )
    assert (row.actor_id, row.actor_username) == (world.alice.pk, "alice")
    assert row.details["subjects"] == [world.amy.pk]


def test_amending_an_entry_leaves_exactly_one_amend_row(world):
    entry = make_entry(by=world.alice, subjects=[world.amy], description="Poor home conditions.")
    data = entry_form(
        world, event_type=entry.event_type_id, event_date=entry.event_date.isoformat()
    )
    data.pop("subjects")
    data.update(
        description="Rubbish bags block the stairs.", reason="Say what was seen, not a summary."
    )
    client = signed_in(world.alice)
    with audit_rows_written() as rows:
        response = client.post(reverse("chronology:amend", args=[world.amy.pk, entry.pk]), data)
    assert response.status_code == 302
    row = the_one_row(rows)
    assert (row.action, row.person_id, row.object_id, row.actor_id) == (
        AuditAction.AMEND_ENTRY,
        world.amy.pk,
        str(entry.pk),
        world.alice.pk,
    )
    assert row.reason == "Say what was seen, not a summary."
    assert EntryVersion.objects.filter(entry=entry).count() == 2


def test_retracting_an_entry_leaves_exactly_one_retract_row(world):
    entry = make_entry(by=world.alice, subjects=[world.amy])
    client = signed_in(world.alice)
    with audit_rows_written() as rows:
        response = client.post(
            reverse("chronology:retract", args=[world.amy.pk, entry.pk]),
            {"reason": "Recorded on the wrong child."},
        )
    assert response.status_code == 302
    row = the_one_row(rows)
    assert (row.action, row.person_id, row.object_id, row.reason) == (
        AuditAction.RETRACT_ENTRY,
        world.amy.pk,
        str(entry.pk),
        "Recorded on the wrong child.",
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.RETRACTED


# --- Refusals ------------------------------------------------------------------------------------


def test_a_refused_read_leaves_exactly_one_denied_row(world):
    client = signed_in(world.charlie)
    with audit_rows_written() as rows:
        assert client.get(reverse("people:detail", args=[world.amy.pk])).status_code == 404
    row = the_one_row(rows)
    assert (row.action, row.person_id, row.actor_id) == (
        AuditAction.DENIED,
        world.amy.pk,
        world.charlie.pk,
    )
    assert row.reason


def test_a_refused_write_leaves_exactly_one_denied_row_and_writes_nothing(world):
    client = signed_in(world.charlie)
    with audit_rows_written() as rows:
        response = client.post(reverse("chronology:add", args=[world.amy.pk]), entry_form(world))
    assert response.status_code == 404
    row = the_one_row(rows)
    assert (row.action, row.person_id, row.actor_id) == (
        AuditAction.DENIED,
        world.amy.pk,
        world.charlie.pk,
    )
    assert not ChronologyEntry.objects.exists()


def test_a_refusal_for_want_of_a_role_leaves_exactly_one_denied_row(world):
    client = signed_in(world.nina)
    with audit_rows_written() as rows:
        assert client.get(reverse("people:search"), {"name": "Archer"}).status_code == 403
    row = the_one_row(rows)
    assert (row.action, row.actor_id, row.object_id) == (
        AuditAction.DENIED,
        world.nina.pk,
        "people:search",
    )


# --- The audit row and the action commit together ------------------------------------------------


class AuditStoreDown(Exception):
    pass


def test_if_the_audit_write_fails_the_entry_is_not_written_and_the_request_fails(world):
    client = signed_in(world.alice, raise_request_exception=False)
    with mock.patch.object(AuditEvent.objects, "create", side_effect=AuditStoreDown) as create:
        response = client.post(reverse("chronology:add", args=[world.amy.pk]), entry_form(world))
    assert create.called
    assert response.status_code == 500
    assert not ChronologyEntry.objects.exists()
    assert not EntrySubject.objects.exists()
    assert not EntryVersion.objects.exists()


def test_if_the_audit_write_fails_an_amendment_is_not_kept(world):
    entry = make_entry(by=world.alice, subjects=[world.amy], description="Poor home conditions.")
    data = entry_form(
        world, event_type=entry.event_type_id, event_date=entry.event_date.isoformat()
    )
    data.update(description="Rubbish bags block the stairs.", reason="More precise.")
    client = signed_in(world.alice, raise_request_exception=False)
    with mock.patch.object(AuditEvent.objects, "create", side_effect=AuditStoreDown):
        response = client.post(reverse("chronology:amend", args=[world.amy.pk, entry.pk]), data)
    assert response.status_code == 500
    entry.refresh_from_db()
    assert (entry.version, entry.description) == (1, "Poor home conditions.")
    assert EntryVersion.objects.filter(entry=entry).count() == 1


def test_if_the_audit_write_fails_the_record_is_not_shown(world):
    client = signed_in(world.alice, raise_request_exception=False)
    with mock.patch.object(AuditEvent.objects, "create", side_effect=AuditStoreDown):
        response = client.get(reverse("people:detail", args=[world.amy.pk]))
    assert response.status_code == 500
    assert "Archer" not in page_text(response)


# --- Information governance -----------------------------------------------------------------------


def test_ig_officer_sees_who_has_seen_a_childs_record(world):
    signed_in(world.alice).get(reverse("people:detail", args=[world.amy.pk]))
    signed_in(world.bob).get(reverse("people:search"), {"name": "Archer"})
    signed_in(world.charlie).get(reverse("people:detail", args=[world.amy.pk]))
    iris = signed_in(world.iris)
    with audit_rows_written() as rows:
        response = iris.get(reverse("audit:person", args=[world.amy.pk]))
    assert response.status_code == 200
    seen = {(e.actor_username, e.action) for e in response.context["events"]}
    assert ("alice", AuditAction.VIEW_PERSON) in seen
    assert ("bob", AuditAction.SEARCH) in seen  # shown Amy in a list of results
    assert ("charlie", AuditAction.DENIED) in seen
    body = page_text(response)
    assert "alice" in body and "Viewed a record" in body and "Amy Archer" in body
    # Looking at the audit trail is itself audited.
    row = the_one_row(rows)
    assert (row.action, row.person_id, row.actor_id) == (
        AuditAction.VIEW_AUDIT,
        world.amy.pk,
        world.iris.pk,
    )


def test_ig_officer_sees_what_a_user_saw_between_two_times(world):
    alice = signed_in(world.alice)
    alice.get(reverse("people:detail", args=[world.ben.pk]))
    start = timezone.now()
    alice.get(reverse("people:detail", args=[world.amy.pk]))
    alice.get(reverse("people:household", args=[world.amy.pk]))
    end = timezone.now()
    alice.get(reverse("people:detail", args=[world.mandy.pk]))

    response = signed_in(world.iris).get(
        reverse("audit:user"), {"user": "alice", "start": start.isoformat(), "end": end.isoformat()}
    )
    assert response.status_code == 200
    events = response.context["events"]
    assert [(e.action, e.person_id) for e in events] == [
        (AuditAction.VIEW_PERSON, world.amy.pk),
        (AuditAction.VIEW_HOUSEHOLD, world.amy.pk),
    ]
    assert all(e.actor_username == "alice" for e in events)
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.VIEW_AUDIT, actor_id=world.iris.pk, object_id=str(world.alice.pk)
        ).count()
        == 1
    )


@pytest.mark.parametrize("persona", ["alice", "mike", "nina", "charlie", "sam", "bob"])
def test_only_information_governance_can_open_the_audit_pages(world, persona):
    user = getattr(world, persona)
    client = signed_in(user)
    urls = [
        reverse("audit:index"),
        reverse("audit:person", args=[world.amy.pk]),
        reverse("audit:user") + "?user=alice&start=2020-01-01T00:00&end=2030-01-01T00:00",
    ]
    with audit_rows_written() as rows:
        for url in urls:
            response = client.get(url)
            assert response.status_code in (403, 404), (persona, url)
            assert "Viewed a record" not in page_text(response)
    assert [r.action for r in rows] == [AuditAction.DENIED] * len(urls)
