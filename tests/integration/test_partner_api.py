"""The API for partner systems: credentials with scopes that can be revoked, a rate limit,
idempotent writes, need-to-know on every read and write, and errors that name the field.

The health visiting service's system (Bob's agency, involved with Mandy and so with her family)
and the school's system (involved only with Zara) are the two partner systems here.
"""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from hearth.access.models import Involvement
from hearth.accounts.models import Role
from hearth.api import credentials
from hearth.api.models import ApiCredential, Scope
from hearth.audit.models import AuditAction, AuditEvent
from hearth.chronology.models import ChronologyEntry, EntryVersion
from tests.conftest import sign_in
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db
ALL = list(Scope.values)


def nhs(stem: str) -> str:
    """A valid NHS number in the 999 range reserved for test records."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(stem))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    assert check != 10, stem
    return f"{stem}{check}"


def client_for(agency, scopes=ALL, name="system"):
    made = credentials.create_credential(by=None, agency=agency, name=name, scopes=scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {made.token}"), made


def post(client, name, body, key="k1"):
    return client.post(
        reverse(name),
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def entry(world, **over):
    body = {
        "source_reference": "HV-1001",
        "subjects": [world.amy.pk],
        "event_type": "child-hungry",
        "event_date": "2025-03-01",
        "description": "Amy said she had not eaten since lunch the day before.",
        "impact_on_child": "She was tired and tearful at the visit.",
    }
    return body | over


@pytest.fixture
def taxonomy(db):
    from tests.functional.conftest import load_event_taxonomy

    load_event_taxonomy()


def test_a_system_with_a_relationship_learns_who_leads_and_one_without_learns_nothing(world):
    world.amy.nhs_number = nhs("999000001")
    world.amy.save()
    health, _ = client_for(world.health)
    answer = health.get(reverse("api:partner_lookup"), {"nhs_number": world.amy.nhs_number}).json()
    assert answer["legitimate_relationship"] is True and answer["person_id"] == world.amy.pk
    assert answer["lead_professional"]["agency"] == world.csc.name
    assert answer["lead_professional"]["name"] == world.alice.display_name
    school, _ = client_for(world.school)
    refused = school.get(reverse("api:partner_lookup"), {"nhs_number": world.amy.nhs_number}).json()
    assert refused["legitimate_relationship"] is False and refused["person_id"] is None
    assert "Amy" not in json.dumps(refused) and "Archer" not in json.dumps(refused)
    unknown = school.get(reverse("api:partner_lookup"), {"nhs_number": nhs("999000002")}).json()
    assert {k: v for k, v in unknown.items()} == refused  # the same answer as for a real child
    assert (
        AuditEvent.objects.filter(action=AuditAction.SEARCH, object_type="api_lookup").count() == 3
    )


def test_an_invalid_nhs_number_is_named_in_the_error(world):
    health, _ = client_for(world.health)
    response = health.get(reverse("api:partner_lookup"), {"nhs_number": "1234567890"})
    assert response.status_code == 400
    assert "nhs_number" in response.json()


def test_a_revoked_or_wrong_token_is_refused_and_audited(world):
    health, made = client_for(world.health)
    url = reverse("api:partner_chronology", args=[world.amy.pk])
    assert health.get(url).status_code == 200
    credentials.revoke_credential(by=None, credential=made.credential, reason="System retired")
    assert health.get(url).status_code == 401
    forged = Client(HTTP_AUTHORIZATION=f"Bearer {made.token[:-2]}xx")
    assert forged.get(url).status_code == 401
    assert (
        AuditEvent.objects.filter(action=AuditAction.DENIED, object_type="api_credential").count()
        == 2
    )
    assert AuditEvent.objects.filter(action=AuditAction.REVOKE_API_CREDENTIAL).exists()


def test_a_credential_can_do_only_what_its_scopes_allow(world, taxonomy):
    reader, _ = client_for(world.health, scopes=[Scope.CHRONOLOGY_READ])
    assert reader.get(reverse("api:partner_chronology", args=[world.amy.pk])).status_code == 200
    assert post(reader, "api:partner_post_entry", entry(world)).status_code == 403
    assert (
        reader.get(reverse("api:partner_lookup"), {"nhs_number": nhs("999000001")}).status_code
        == 403
    )
    assert ChronologyEntry.objects.count() == 0


def test_partner_endpoints_are_not_for_signed_in_people(world):
    response = sign_in(Client(), world.alice).get(
        reverse("api:partner_chronology", args=[world.amy.pk])
    )
    assert response.status_code == 401  # they take a partner system's token, not a session
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_reading_a_childs_chronology_follows_need_to_know(world, taxonomy):
    from tests.factories.chronology import make_entry

    make_entry(by=world.alice, subjects=[world.amy])
    health, _ = client_for(world.health)
    page = health.get(reverse("api:partner_chronology", args=[world.amy.pk])).json()
    assert page["total"] == 1 and page["entries"][0]["agency"] == world.csc.name
    school, _ = client_for(world.school)
    refused = school.get(reverse("api:partner_chronology", args=[world.amy.pk]))
    assert refused.status_code == 404
    missing = school.get(reverse("api:partner_chronology", args=[999_999]))
    assert missing.status_code == 404 and missing.json() == refused.json()
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW_PERSON, person_id=world.amy.pk, actor_username__startswith="api-"
    ).exists()


def test_the_same_entry_sent_twice_is_written_once_and_a_changed_one_is_amended(world, taxonomy):
    health, _ = client_for(world.health)
    first = post(health, "api:partner_post_entry", entry(world), key="a")
    assert first.status_code == 201 and first.json()["outcome"] == "created"
    again = post(health, "api:partner_post_entry", entry(world), key="b")  # a new key, same record
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    changed = post(
        health,
        "api:partner_post_entry",
        entry(world, description="Amy had not eaten for a day."),
        key="c",
    )
    assert changed.json()["outcome"] == "amended"
    stored = ChronologyEntry.objects.get()
    assert stored.version == 2 and stored.description == "Amy had not eaten for a day."
    assert stored.agency == world.health and stored.source_reference == "HV-1001"
    assert EntryVersion.objects.filter(entry=stored).count() == 2
    assert "Updated by" in EntryVersion.objects.get(entry=stored, version=2).reason


def test_an_idempotency_key_replays_the_first_answer_and_refuses_a_different_body(world, taxonomy):
    health, _ = client_for(world.health)
    first = post(health, "api:partner_post_entry", entry(world), key="same")
    replay = post(health, "api:partner_post_entry", entry(world), key="same")
    assert replay.status_code == 201 and replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    other = post(
        health, "api:partner_post_entry", entry(world, source_reference="HV-2"), key="same"
    )
    assert other.status_code == 422 and "Idempotency-Key" in other.json()
    missing = health.post(
        reverse("api:partner_post_entry"),
        data=json.dumps(entry(world)),
        content_type="application/json",
    )
    assert missing.status_code == 400 and "Idempotency-Key" in missing.json()
    # As the schema says: 1 to 100 characters and no spaces ("a b" is not the key "ab").
    for bad in ("two words", "x" * 101):
        refused = post(health, "api:partner_post_entry", entry(world), key=bad)
        assert refused.status_code == 400 and "Idempotency-Key" in refused.json()
    assert ChronologyEntry.objects.count() == 1


def test_a_bad_entry_names_each_field_and_writes_nothing(world, taxonomy):
    health, _ = client_for(world.health)
    response = post(
        health,
        "api:partner_post_entry",
        entry(world, event_type="not-a-type", event_date="01/03/2025", subjects=[]),
    )
    assert response.status_code == 400
    assert {"event_type", "event_date", "subjects"} <= set(response.json())
    assert ChronologyEntry.objects.count() == 0


def test_a_system_cannot_write_about_a_child_it_does_not_work_with(world, taxonomy):
    school, _ = client_for(world.school)
    response = post(school, "api:partner_post_entry", entry(world))
    assert response.status_code == 404
    assert ChronologyEntry.objects.count() == 0


def test_an_involvement_needs_the_childs_identifier_and_date_of_birth(world):
    world.ben.nhs_number = nhs("999000003")
    world.ben.save()
    school, _ = client_for(world.school)
    body = {
        "source_reference": "ENROL-77",
        "nhs_number": world.ben.nhs_number,
        "date_of_birth": "2019-06-06",
        "role_description": "Class teacher",
        "start_date": "2025-09-03",
    }
    wrong_dob = post(school, "api:partner_post_involvement", body | {"date_of_birth": "2019-06-07"})
    assert wrong_dob.status_code == 404
    made = post(school, "api:partner_post_involvement", body, key="k2")
    assert made.status_code == 201 and made.json()["person_id"] == world.ben.pk
    # Now the school works with Ben, it may read his family's chronology.
    assert school.get(reverse("api:partner_chronology", args=[world.ben.pk])).status_code == 200
    again = post(school, "api:partner_post_involvement", body, key="k3")
    assert again.json()["outcome"] == "unchanged"
    ended = post(
        school, "api:partner_post_involvement", body | {"end_date": "2026-07-20"}, key="k4"
    )
    assert ended.json()["outcome"] == "updated"
    involvement = Involvement.objects.get(agency=world.school, person=world.ben)
    assert involvement.end_date == dt.date(2026, 7, 20)
    # Once the involvement has ended, so has the relationship.
    assert school.get(reverse("api:partner_chronology", args=[world.ben.pk])).status_code == 404


@override_settings(HEARTH_API_RATE="3/min")
def test_each_credential_is_rate_limited(world):
    from django.core.cache import cache

    cache.clear()
    health, _ = client_for(world.health)
    url = reverse("api:partner_chronology", args=[world.amy.pk])
    assert [health.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    other, _ = client_for(world.health, name="second system")
    assert other.get(url).status_code == 200
    cache.clear()


def test_an_administrator_makes_and_revokes_a_credential_on_screen(world):
    admin = UserFactory(username="ada", agency=world.csc, role=Role.ADMINISTRATOR)
    page = sign_in(Client(), admin)
    made = page.post(
        reverse("api:credentials"),
        {"agency": world.school.pk, "name": "School MIS", "scopes": [Scope.LOOKUP]},
    )
    body = made.content.decode()
    assert made.status_code == 200 and "hth_" in body and "will not be shown again" in body
    credential = ApiCredential.objects.get()
    bad = page.post(reverse("api:credential_revoke", args=[credential.pk]), {"reason": ""})
    assert "Say why" in bad.content.decode()
    page.post(reverse("api:credential_revoke", args=[credential.pk]), {"reason": "Replaced"})
    credential.refresh_from_db()
    assert credential.revoked_at is not None and credential.revoked_by == "ada"
    assert sign_in(Client(), world.alice).get(reverse("api:credentials")).status_code == 403


def test_the_command_makes_lists_and_revokes(world, capsys):
    call_command(
        "api_credential", "create", "--agency", "hv", "--name", "SystmOne", "--scope", Scope.LOOKUP
    )
    token = capsys.readouterr().out.strip()
    assert token.startswith("hth_")
    prefix = token[4:12]
    call_command("api_credential", "list")
    assert "SystmOne" in capsys.readouterr().out
    call_command("api_credential", "revoke", prefix, "--reason", "Test over")
    assert credentials.authenticate(f"Bearer {token}") is None


def test_a_credential_cannot_reach_the_endpoints_for_signed_in_people(world):
    health, _ = client_for(world.health)
    assert health.get(reverse("api:people_search"), {"name": "Amy"}).status_code == 403
    assert health.get(reverse("api:person_record", args=[world.amy.pk])).status_code == 403
    assert health.get(reverse("api:dataset")).status_code == 403


def test_a_partner_system_sends_person_records_into_the_index_without_learning_who_is_known(
    world,
):
    from hearth.linkage.models import LinkMethod, SourceRecord

    world.amy.nhs_number = nhs("999000001")
    world.amy.save()
    school, _ = client_for(world.school)
    body = {
        "source_reference": "SIMS-42",
        "given_name": "Aimee",
        "family_name": "Archer",
        "date_of_birth": "2016-04-04",
        "sex": "F",
        "postcode": "rh10 1aa",
        "nhs_number": world.amy.nhs_number,
    }
    first = post(school, "api:partner_post_person_record", body)
    assert first.status_code == 201, first.content
    # The school has no relationship with Amy: the answer must not say she is known.
    assert first.json() == {"outcome": "created", "source_reference": "SIMS-42"}
    kept = SourceRecord.objects.get(source_reference="SIMS-42")
    assert kept.person == world.amy
    assert kept.events.get().method == LinkMethod.NHS_NUMBER
    assert kept.channel == "api" and kept.given_name == "Aimee"

    again = post(school, "api:partner_post_person_record", body, key="k2")
    assert again.json()["outcome"] == "unchanged"
    moved = post(school, "api:partner_post_person_record", body | {"postcode": "BN1 1AA"}, key="k3")
    assert moved.json()["outcome"] == "updated"
    assert SourceRecord.objects.filter(source_reference="SIMS-42").count() == 1

    bad = post(
        school, "api:partner_post_person_record", body | {"nhs_number": "9990000019"}, key="k4"
    )
    assert bad.status_code == 400
    assert "nhs_number" in bad.json()

    reader, _ = client_for(world.school, scopes=[Scope.LOOKUP], name="reader")
    refused = post(reader, "api:partner_post_person_record", body, key="k5")
    assert refused.status_code == 403


def test_a_misspelt_query_parameter_is_refused_naming_it(world):
    health, _ = client_for(world.health)
    answer = health.get(reverse("api:partner_lookup"), {"nhs_numer": "9990000018"})
    assert answer.status_code == 400
    assert answer.json() == {"nhs_numer": ["Not a parameter of this endpoint."]}


def test_a_number_or_date_sent_empty_is_refused_not_read_as_left_out(world):
    health, _ = client_for(world.health)
    answer = health.get(reverse("api:partner_lookup"), {"nhs_number": "", "date_of_birth": ""})
    assert answer.status_code == 400
    assert answer.json() == {"date_of_birth": ["Give a value, or leave the parameter out."]}
    url = reverse("api:partner_chronology", args=[world.amy.pk])
    assert health.get(url, {"offset": ""}).status_code == 400
    assert health.get(url, {"offset": "0"}).status_code != 400


def test_a_write_takes_json_only_and_says_so(world, taxonomy):
    """In a form body every value is text ("-1808" as a middle name, "" as no date), so a form
    is refused with a 415 and nothing is written."""
    health, _ = client_for(world.health)
    body = entry(world)
    form = health.post(
        reverse("api:partner_post_entry"),
        data={k: v for k, v in body.items() if not isinstance(v, list)},
        HTTP_IDEMPOTENCY_KEY="form-1",
    )
    assert form.status_code == 415
    assert "detail" in form.json()
    assert ChronologyEntry.objects.count() == 0


def test_a_value_of_the_wrong_json_type_is_named_not_converted(world, taxonomy):
    """A number where the system's own reference belongs, or text where a person id belongs, is
    a bug in the sending system: Hearth names the field rather than quietly converting it."""
    health, _ = client_for(world.health)
    wrong = post(
        health,
        "api:partner_post_entry",
        {**entry(world), "source_reference": 732, "subjects": [str(world.amy.pk)]},
    )
    assert wrong.status_code == 400
    assert {"source_reference", "subjects"} <= set(wrong.json())
    assert ChronologyEntry.objects.count() == 0
    right = post(health, "api:partner_post_entry", entry(world), key="k2")
    assert right.status_code == 201


def test_a_code_with_a_nul_character_or_an_id_beyond_the_database_is_a_400(world, taxonomy):
    """PostgreSQL text cannot hold NUL and its ids stop at 2**63 - 1: both are refused, naming
    the field, before the database is asked (it answered with a 500)."""
    health, _ = client_for(world.health)
    wrong = post(
        health,
        "api:partner_post_entry",
        {**entry(world), "event_type": "home\x00visit", "subjects": [2**63]},
    )
    assert wrong.status_code == 400
    assert {"event_type", "subjects"} <= set(wrong.json())
    assert ChronologyEntry.objects.count() == 0
