"""Every URL in Hearth is declared in the policy table, and refused to anyone without the right
role or relationship, so a new view can never be left open by accident.

The walk covers the whole URL configuration, through every `include()`, so a new app's URLs are
checked the day they are added.
"""

import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.utils import timezone

from hearth.access import actions as access_actions
from hearth.access.permissions import ROLE_PERMISSIONS, Permission
from hearth.access.policy import POLICIES, Policy
from hearth.accounts.models import Role
from hearth.alerts.models import Alert, Rule, RuleVersion
from hearth.api import credentials as api_credentials
from hearth.api.models import Scope
from hearth.audit.models import AuditAction, AuditEvent
from hearth.chronology.models import ChronologyEntry
from hearth.episodes.models import Episode, EpisodeKind
from hearth.interop.models import ImportRun
from hearth.linkage.merge import merge_people
from hearth.plans import actions as plan_actions
from hearth.workforce import actions as training_actions
from tests.conftest import page_text, sign_in
from tests.factories.accounts import UserFactory
from tests.factories.actionplans import agency_lead, make_action, make_objective, make_plan
from tests.factories.chronology import make_entry
from tests.factories.linkage import make_record, make_review
from tests.factories.people import PersonFactory
from tests.factories.toolkit import completed_sdq
from tests.integration import unlisted_urls

pytestmark = pytest.mark.django_db

# Reachable without signing in. Adding to this set is a decision for information governance.
PUBLIC_BY_DESIGN = {"accounts:login", "web:health"}

# URLs that name a person but are deliberately not record-level, and why nothing leaks through them.
PERSON_URLS_WITHOUT_RELATIONSHIP = {
    "access:break_glass": "the way in for a user without a relationship; shows no record data",
    "audit:person": "information governance's view of the audit trail, not the child's record",
}


@dataclass(frozen=True)
class Route:
    view_name: str
    converters: dict[str, Any]
    kwarg_names: tuple[str, ...]

    @property
    def policy(self) -> Policy | None:
        return POLICIES.get(self.view_name)

    def url(self, ids: dict[str, Any]) -> str:
        kwargs: dict[str, Any] = {}
        for name in self.kwarg_names:
            converter = self.converters.get(name)
            if name in ids:
                kwargs[name] = ids[name]
            elif isinstance(converter, IntConverter):
                kwargs[name] = 1
            elif isinstance(converter, UUIDConverter):
                kwargs[name] = uuid.UUID(int=1)
            else:
                kwargs[name] = "x"
        return reverse(self.view_name, kwargs=kwargs)


def walk(
    patterns: list[Any], namespaces: tuple[str, ...] = (), converters: dict[str, Any] | None = None
) -> Iterator[Route]:
    """Every URL pattern, recursively through includes, with its namespaced view name."""
    converters = converters or {}
    for entry in patterns:
        found = {**converters, **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk(entry.url_patterns, inner, found)
        elif isinstance(entry, URLPattern):
            # An unnamed pattern resolves to its dotted view path, which the policy table never holds.
            name = ":".join((*namespaces, entry.name)) if entry.name else entry.lookup_str
            yield Route(name, found, tuple(found) or tuple(entry.pattern.regex.groupindex))


ROUTES = list(walk(get_resolver().url_patterns))
ROUTE_IDS = [r.view_name for r in ROUTES]
PROTECTED = [r for r in ROUTES if r.policy is not None and not r.policy.public]
WITH_PERMISSION = [r for r in PROTECTED if r.policy is not None and r.policy.permission is not None]
RECORD_LEVEL = [r for r in PROTECTED if r.policy is not None and r.policy.record_level]


def is_api(url: str) -> bool:
    return url.startswith("/api/")


# Amy's family and home: none of it may leak through a refusal of Amy's record.
FAMILY_DATA = ["Ben", "Mandy", "Dean Cole", "1 Test Street", "RH10 1AA"]


def person_data(person: Any) -> list[str]:
    values = [person.given_name, person.family_name, person.nhs_number, person.upn]
    if dob := person.date_of_birth:
        values += [dob.isoformat(), f"{dob.day} {dob:%b %Y}", f"{dob:%d/%m/%Y}"]
    return [v for v in values if v]


def record_ids(world: Any) -> dict[str, Any]:
    """Real ids for every URL argument, so a refusal is never just a missing record."""
    entry = make_entry(by=world.alice, subjects=[world.amy])
    # Bob breaks glass on a child outside his work; Amy's access stories are unaffected.
    grant = access_actions.break_glass(
        by=world.bob,
        person_id=world.zara.pk,
        reason_category="immediate_risk",
        justification="Police called about Zara at 2am and need her contacts.",
    )
    assert grant is not None
    plan = Episode.objects.create(
        kind=EpisodeKind.CP_PLAN,
        child=world.amy,
        lead_agency=world.csc,
        start_date=datetime.date(2025, 1, 1),
        latest_category="NEG",
    )
    action = plan_actions.save_action(by=world.alice, plan=plan, what="Weigh Ben every fortnight")
    response = completed_sdq(world.alice, world.amy)
    alert = Alert.objects.create(
        rule=Rule.objects.get(code="plan-drift"),
        rule_version=RuleVersion.objects.get(rule__code="plan-drift", version=1),
        child=world.amy,
        fired_on=datetime.date(2025, 1, 1),
        raised_at=timezone.now(),
        summary="The child protection plan has been open for more than 456 days.",
    )
    lead = agency_lead(world.csc)
    action_plan = make_plan(lead, world.csc)
    agency_action = make_action(lead, make_objective(lead, action_plan))
    training = training_actions.record_session(
        by=lead,
        title="Neglect briefing",
        held_on=datetime.date(2025, 5, 1),
        course_type="briefing",
        agency=world.csc,
    )
    import_run = ImportRun.objects.create(
        kind="cin_census",
        file_name="cin.xml",
        sha256="0" * 64,
        size_bytes=1,
        via="browser",
        status="loaded",
        by_username="ada",
        created_at=timezone.now(),
    )
    # Two records of one child outside the Archers' family, one pair waiting and one merged.
    wendy, wendi, windy = (
        PersonFactory(given_name=n, family_name="Walker") for n in ("Wendy", "Wendi", "Windy")
    )
    review = make_review(make_record(wendi), make_record(wendy))
    merge = merge_people(survivor=wendy, merged=windy, by=None, reason="The same child.")
    return {
        "review_id": review.pk,
        "merge_id": merge.pk,
        "run_id": import_run.pk,
        "action_plan_id": action_plan.pk,
        "agency_action_id": agency_action.pk,
        "session_id": training.pk,
        "person_id": world.amy.pk,
        "entry_id": entry.pk,
        "grant_id": grant.pk,
        "plan_id": plan.pk,
        "action_id": action.pk,
        "response_id": response.pk,
        "alert_id": alert.pk,
        "code": "sdq",
        "version": 1,
        "indicator": "cp_children",
        "fmt": "csv",
        "credential_id": api_credentials.create_credential(
            by=None, agency=world.school, name="School MIS", scopes=[Scope.LOOKUP]
        ).credential.pk,
    }


@pytest.fixture
def ids(world: Any) -> dict[str, Any]:
    return record_ids(world)


def signed_in(user: Any, route: Route | None = None) -> Client:
    """A signed-in person; for a partner-system URL, a system of the person's agency with every
    scope, since those URLs take an API credential rather than a session."""
    if route is not None and route.view_name.startswith("api:partner_"):
        made = api_credentials.create_credential(
            by=None, agency=user.agency, name=f"walk {uuid.uuid4()}", scopes=list(Scope.values)
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {made.token}")
    return sign_in(Client(), user)


def test_the_url_walk_finds_the_projects_urls():
    names = set(ROUTE_IDS)
    assert {"people:detail", "chronology:add", "audit:person", "api:person_record"} <= names
    assert all(r.kwarg_names == ("person_id",) for r in ROUTES if r.view_name == "people:detail")


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_every_url_is_declared_in_the_policy_table(route):
    assert route.policy is not None, (
        f"{route.view_name} has no entry in hearth.access.policy.POLICIES: declare who may use it"
    )


def test_the_policy_table_declares_no_url_that_does_not_exist():
    assert set(POLICIES) - set(ROUTE_IDS) == set()


def test_only_the_sign_in_page_and_health_check_are_public():
    public = {name for name, policy in POLICIES.items() if policy.public}
    assert public == PUBLIC_BY_DESIGN


def test_every_policy_permission_is_held_by_some_role():
    held = set().union(*ROLE_PERMISSIONS.values())
    for name, policy in POLICIES.items():
        assert policy.permission is None or policy.permission in held, name


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_a_url_naming_a_person_is_record_level_unless_justified(route):
    if "person_id" not in route.kwarg_names or route.policy is None:
        return
    assert route.policy.record_level or route.view_name in PERSON_URLS_WITHOUT_RELATIONSHIP, (
        f"{route.view_name} takes a person_id: make it record_level, or justify it here"
    )


@pytest.mark.parametrize("route", PROTECTED, ids=[r.view_name for r in PROTECTED])
def test_anonymous_visitor_is_sent_to_sign_in(route, ids, world):
    url = route.url(ids)
    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        if is_api(url):
            assert response.status_code == 401, (method, url)
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert response["Location"].startswith(reverse("accounts:login") + "?next="), (
                method,
                url,
            )
        for value in person_data(world.amy):
            assert value not in page_text(response), (method, url, value)


@pytest.mark.parametrize("route", WITH_PERMISSION, ids=[r.view_name for r in WITH_PERMISSION])
def test_user_whose_role_lacks_the_permission_is_refused(route, ids, world):
    """Each such user's agency works with Amy, so only the role can be the reason for refusal."""
    assert route.policy is not None and route.policy.permission is not None
    permission: Permission = route.policy.permission
    lacking = [role for role in Role if permission not in ROLE_PERMISSIONS.get(role, frozenset())]
    assert lacking, f"every role holds {permission}: nothing to refuse"
    url = route.url(ids)
    entries_before = ChronologyEntry.objects.count()
    for role in lacking:
        user = UserFactory(username=f"no-{permission}-{role}", agency=world.csc, role=role)
        client = signed_in(user)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (403, 404), (role, method, url, response.status_code)
            body = page_text(response)
            for value in person_data(world.amy):
                assert value not in body, (role, method, url, value)
    assert ChronologyEntry.objects.count() == entries_before


@pytest.mark.parametrize("route", RECORD_LEVEL, ids=[r.view_name for r in RECORD_LEVEL])
def test_user_with_the_permission_but_no_relationship_gets_not_found_and_no_data(route, ids, world):
    """Charlie, a school safeguarding lead, may record chronologies, but not for the Archers."""
    assert route.policy is not None and route.policy.permission is not None
    assert route.policy.permission in ROLE_PERMISSIONS[world.charlie.role]
    url = route.url(ids)
    client = signed_in(world.charlie, route)
    entries_before = ChronologyEntry.objects.count()
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        # A read-only endpoint may answer a POST with 405 before looking the person up: equally silent.
        expected = (404,) if method == "get" else (404, 405)
        assert response.status_code in expected, (method, url, response.status_code)
        body = page_text(response)
        for value in [*person_data(world.amy), *FAMILY_DATA]:
            assert value not in body, (method, url, value)
    assert ChronologyEntry.objects.count() == entries_before


@pytest.mark.parametrize("route", PROTECTED, ids=[r.view_name for r in PROTECTED])
def test_a_user_with_the_role_and_relationship_is_let_in(route, ids, world):
    """The control for the refusals above: the same URLs, with the same ids, do open for the right user."""
    assert route.policy is not None
    permission = route.policy.permission
    administrator = UserFactory(username="ada", agency=world.csc, role=Role.ADMINISTRATOR)
    candidates = [
        world.alice,
        world.iris,
        world.mike,
        world.sam,
        world.nina,
        agency_lead(world.csc),
        administrator,
        UserFactory(username="dq", agency=world.csc, role=Role.DATA_QUALITY),
    ]
    user = next(
        u for u in candidates if permission is None or permission in ROLE_PERMISSIONS[u.role]
    )
    response = signed_in(user, route).get(route.url(ids))
    assert response.status_code not in (401, 403, 404), (
        user.username,
        route.view_name,
        response.status_code,
    )
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("accounts:login")), route.view_name


class TestAnUndeclaredURLFailsClosed:
    pytestmark = pytest.mark.urls("tests.integration.unlisted_urls")

    @pytest.mark.parametrize("path", ["/unlisted/", "/unnamed/"])
    def test_a_signed_in_user_is_refused_and_the_refusal_is_audited(self, path, world):
        response = signed_in(world.alice).get(path)
        assert response.status_code == 403
        assert unlisted_urls.SECRET not in page_text(response)
        denied = AuditEvent.objects.filter(action=AuditAction.DENIED, path=path)
        assert denied.count() == 1
        assert denied.get().actor_username == "alice"
        assert "no access policy" in denied.get().reason

    def test_an_anonymous_visitor_is_refused(self, db):
        response = Client().get("/unlisted/")
        assert response.status_code == 403
        assert unlisted_urls.SECRET not in page_text(response)

    def test_an_undeclared_url_naming_a_person_is_refused_too(self, world):
        response = signed_in(world.alice).post(f"/unlisted/{world.amy.pk}/")
        assert response.status_code in (403, 404)
        assert unlisted_urls.SECRET not in page_text(response)

    def test_the_walk_sees_the_undeclared_urls(self):
        names = {r.view_name for r in walk(get_resolver().url_patterns)}
        assert "unlisted" in names and "unlisted" not in POLICIES
