"""The API is scoped by the same access helper as the screens."""

import pytest
from django.urls import reverse

from hearth.audit.models import AuditAction, AuditEvent
from tests.conftest import sign_in
from tests.factories.chronology import make_entry

pytestmark = pytest.mark.django_db


def test_api_returns_the_record_and_merged_chronology_to_an_involved_user(client, world):
    entry = make_entry(
        by=world.bob, subjects=[world.ben], description="Ben not brought to his 2-year review."
    )
    sign_in(client, world.alice)
    response = client.get(reverse("api:person_record", args=[world.amy.pk]))
    assert response.status_code == 200
    data = response.json()
    assert data["person"]["given_name"] == "Amy"
    assert {p["given_name"] for p in data["family"]} >= {"Mandy", "Ben", "Dean"}
    assert [e["id"] for e in data["chronology"]] == [entry.pk]
    assert data["counts_by_agency"] == {"Health Visiting": 1}
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.VIEW_PERSON, person_id=world.amy.pk, actor_id=world.alice.pk
        ).count()
        == 1
    )


def test_api_gives_no_data_without_a_relationship(client, world):
    sign_in(client, world.charlie)
    response = client.get(reverse("api:person_record", args=[world.amy.pk]))
    assert response.status_code == 404
    assert "Amy" not in response.content.decode()
    search = client.get(reverse("api:people_search"), {"name": "Archer"})
    assert search.status_code == 200 and search.json() == []


def test_api_search_lists_only_visible_people_and_is_audited(client, world):
    sign_in(client, world.alice)
    response = client.get(reverse("api:people_search"), {"name": "archer"})
    names = {p["given_name"] for p in response.json()}
    assert names == {"Amy", "Ben", "Mandy"}
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert sorted(event.details["person_ids"]) == sorted(p["id"] for p in response.json())


def test_api_refuses_anonymous_callers_with_401(client, world):
    assert client.get(reverse("api:person_record", args=[world.amy.pk])).status_code == 401


def test_api_schema_is_served_to_signed_in_users(client, world):
    sign_in(client, world.alice)
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    assert b"/api/v1/people/{person_id}/" in response.content
