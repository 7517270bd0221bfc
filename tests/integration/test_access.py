"""Need-to-know: who sees whom, through every door (detail, household, search, lists)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hearth.access import actions as access_actions
from hearth.access.models import BreakGlassGrant, GrantStatus
from hearth.access.scoping import can_access_person, visible_people
from hearth.audit.models import AuditAction, AuditEvent
from hearth.episodes.models import Episode, EpisodeKind, ScreeningStatus
from tests.conftest import page_text, sign_in

pytestmark = pytest.mark.django_db


def test_allocated_social_worker_sees_the_child_and_the_household(client, world):
    sign_in(client, world.alice)
    response = client.get(reverse("people:detail", args=[world.amy.pk]))
    assert response.status_code == 200
    body = page_text(response)
    assert "Amy Archer" in body
    # Dean lives there with no recorded relationship: he is never hidden behind Mandy's record.
    assert "Dean Cole" in body
    assert "Lives here, no relationship recorded" in body


def test_health_visitor_involved_with_the_mother_sees_her_children(client, world):
    sign_in(client, world.bob)
    assert client.get(reverse("people:detail", args=[world.ben.pk])).status_code == 200


def test_school_lead_without_relationship_gets_no_data(client, world):
    sign_in(client, world.charlie)
    response = client.get(reverse("people:detail", args=[world.amy.pk]))
    assert response.status_code == 404
    assert "Amy" not in page_text(response)
    assert client.get(reverse("people:household", args=[world.amy.pk])).status_code == 404


def test_refusal_of_existing_and_missing_records_looks_the_same(client, world):
    sign_in(client, world.charlie)
    refused = client.get(reverse("people:detail", args=[world.amy.pk]))
    missing = client.get(reverse("people:detail", args=[999999]))
    assert refused.status_code == missing.status_code == 404

    def normalise(response, pk):
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page_text(response))
        return text.replace(f"/{pk}/", "/ID/")

    assert normalise(refused, world.amy.pk) == normalise(missing, 999999)


def test_search_finds_only_people_the_user_may_see(client, world):
    sign_in(client, world.charlie)
    response = client.get(reverse("people:search"), {"name": "Archer"})
    assert response.status_code == 200
    assert "Amy Archer" not in page_text(response)
    sign_in(client, world.alice)
    response = client.get(reverse("people:search"), {"name": "Archer"})
    assert b"Amy Archer" in response.content


def test_search_tolerates_spelling(client, world):
    sign_in(client, world.alice)
    response = client.get(reverse("people:search"), {"name": "Amie Arsher"})
    assert b"Amy Archer" in response.content


def test_search_by_postcode_and_date_of_birth(client, world):
    sign_in(client, world.alice)
    response = client.get(
        reverse("people:search"), {"postcode": "rh10 1aa", "date_of_birth": "04/04/2016"}
    )
    body = page_text(response)
    assert "Amy Archer" in body and "Ben Archer" not in body


def test_search_rejects_an_invalid_nhs_number_with_a_clear_message(client, world):
    sign_in(client, world.alice)
    response = client.get(reverse("people:search"), {"nhs_number": "1234567890"})
    assert "not a valid NHS number" in page_text(response)


def test_visible_people_and_can_access_agree(world):
    for user in (world.alice, world.bob, world.charlie, world.sam, world.nina):
        listed = set(visible_people(user).values_list("pk", flat=True))
        for person in (world.mandy, world.amy, world.ben, world.dean, world.zara):
            assert (person.pk in listed) == can_access_person(user, person), (
                user.username,
                person.given_name,
            )


def test_ended_involvement_gives_no_access(world):
    inv = world.zara.involvements.get()
    inv.end_date = timezone.localdate() - datetime.timedelta(days=1)
    inv.save()
    assert not can_access_person(world.charlie, world.zara)


def test_screener_sees_a_family_only_while_its_referral_is_under_screening(client, world):
    sign_in(client, world.sam)
    assert client.get(reverse("people:detail", args=[world.amy.pk])).status_code == 404
    referral = Episode.objects.create(
        kind=EpisodeKind.REFERRAL,
        child=world.ben,
        start_date=timezone.localdate(),
        screening_status=ScreeningStatus.UNDER_SCREENING,
    )
    assert client.get(reverse("people:detail", args=[world.amy.pk])).status_code == 200
    referral.screening_status = ScreeningStatus.DECIDED
    referral.save()
    assert client.get(reverse("people:detail", args=[world.amy.pk])).status_code == 404


def test_analyst_cannot_open_individual_records(client, world):
    sign_in(client, world.nina)
    assert client.get(reverse("people:detail", args=[world.amy.pk])).status_code == 404
    assert client.get(reverse("people:search"), {"name": "Archer"}).status_code == 403


def test_every_refusal_is_audited(client, world):
    sign_in(client, world.charlie)
    client.get(reverse("people:detail", args=[world.amy.pk]))
    denied = AuditEvent.objects.filter(action=AuditAction.DENIED, person_id=world.amy.pk)
    assert denied.count() == 1
    assert denied.get().actor_username == "charlie"


class TestBreakGlass:
    def test_break_glass_opens_one_record_for_a_limited_time_and_is_reviewed(self, client, world):
        sign_in(client, world.charlie)
        url = reverse("access:break_glass", args=[world.amy.pk])
        response = client.post(
            url,
            {
                "reason_category": "immediate_risk",
                "justification": "Amy disclosed at school that she has not eaten since Friday.",
            },
        )
        assert response.status_code == 302
        assert client.get(reverse("people:detail", args=[world.amy.pk])).status_code == 200
        # Only that child: her brother stays closed.
        assert client.get(reverse("people:detail", args=[world.ben.pk])).status_code == 404
        grant = BreakGlassGrant.objects.get()
        assert grant.status == GrantStatus.AWAITING_REVIEW
        assert grant.lead_agency == world.csc

        # Flagged to IG and the lead agency's manager; the user cannot review their own access.
        sign_in(client, world.iris)
        assert b"Charlie" in client.get(reverse("access:review_queue")).content
        sign_in(client, world.mike)
        assert b"Charlie" in client.get(reverse("access:review_queue")).content
        response = client.post(
            reverse("access:review", args=[grant.pk]),
            {
                "outcome": GrantStatus.CLOSED_APPROPRIATE,
                "notes": "Spoke to the DSL; disclosure confirmed.",
            },
        )
        assert response.status_code == 302
        grant.refresh_from_db()
        assert grant.status == GrantStatus.CLOSED_APPROPRIATE and grant.reviewed_by == world.mike

    def test_access_expires(self, client, world):
        grant = access_actions.break_glass(
            by=world.charlie,
            person_id=world.amy.pk,
            reason_category="immediate_risk",
            justification="Disclosure at school this morning, child frightened.",
        )
        assert can_access_person(world.charlie, world.amy)
        BreakGlassGrant.objects.filter(pk=grant.pk).update(
            expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        assert not can_access_person(world.charlie, world.amy)

    def test_justification_is_required(self, client, world):
        sign_in(client, world.charlie)
        response = client.post(
            reverse("access:break_glass", args=[world.amy.pk]),
            {"reason_category": "immediate_risk", "justification": "need"},
        )
        assert response.status_code == 200
        assert "20 characters" in page_text(response)
        assert not BreakGlassGrant.objects.exists()

    def test_nobody_reviews_their_own_break_glass(self, world):
        world.iris.agency = world.school
        grant = access_actions.break_glass(
            by=world.mike,
            person_id=world.zara.pk,
            reason_category="immediate_risk",
            justification="Police called about Zara at 2am, need contacts.",
        )
        assert not access_actions.can_review(world.mike, grant)
        assert access_actions.can_review(world.iris, grant)

    def test_inappropriate_access_is_ended_at_review(self, world):
        grant = access_actions.break_glass(
            by=world.charlie,
            person_id=world.amy.pk,
            reason_category="other",
            justification="I was curious about this family's situation.",
        )
        access_actions.review_grant(
            by=world.iris,
            grant=grant,
            outcome=GrantStatus.CLOSED_INAPPROPRIATE,
            notes="Not a safeguarding need; referred to the DPO.",
        )
        assert not can_access_person(world.charlie, world.amy)


def test_child_page_shows_previous_names_local_identifiers_and_disabilities(client, world):
    from hearth.people.actions import name_row
    from hearth.people.models import NameType, PersonIdentifier

    name_row(world.amy, "Amy", "Smith", NameType.PREVIOUS).save()
    PersonIdentifier.objects.create(person=world.amy, system="Mosaic", value="M123456")
    world.amy.disabilities = ["COMM", "AUT"]
    world.amy.save()
    sign_in(client, world.alice)
    body = client.get(reverse("people:detail", args=[world.amy.pk])).content.decode()
    assert "Amy Smith (previous name)" in body
    assert "Mosaic: M123456" in body
    assert "Communication, Autism / Asperger syndrome" in body
