"""Property-based tests of the API against its own OpenAPI schema (schemathesis): for generated
requests, valid and invalid, the API never fails with a server error and every response matches
the schema. Run in-process through the WSGI application, signed in as a partner system and as a
practitioner, on the shared persona world.
"""

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)

from hearth.api import credentials
from hearth.api.models import Scope
from tests.functional.conftest import load_event_taxonomy

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """The WSGI handler closes the database connection after each request; the test client stops
    it doing so, and so must these tests, or PostgreSQL loses the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


PROPERTIES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def partner_token(world: Any, settings: Any) -> str:
    from django.core.cache import cache

    settings.HEARTH_API_RATE = "100000/min"  # the rate limit has its own test
    cache.clear()
    load_event_taxonomy()
    world.amy.nhs_number = "9990000018"
    world.amy.save()
    made = credentials.create_credential(
        by=None, agency=world.health, name="Property tests", scopes=list(Scope.values)
    )
    return made.token


@pytest.mark.django_db
@schema.include(path_regex="^/api/v1/partner/").parametrize()
@PROPERTIES
def test_partner_endpoints_conform_to_the_schema(case: Any, partner_token: str, world: Any) -> None:
    person_id = (case.path_parameters or {}).get("person_id")
    if isinstance(person_id, int) and person_id % 2:
        # Half the time a child the system works with, so the happy path is exercised too.
        case.path_parameters["person_id"] = world.amy.pk
    # A valid NHS number's check digit (and "an NHS number or a UPN") cannot be said in JSON
    # Schema, so a schema-valid request may rightly be refused with a 400 naming the field.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {partner_token}"},
        excluded_checks=[positive_data_acceptance],
    )


CSRF = "k" * 32  # a CSRF secret sent as both cookie and header, as the pages' scripts do


@pytest.fixture
def practitioner_cookies(world: Any) -> dict[str, str]:
    from django.test import Client

    from tests.conftest import sign_in

    load_event_taxonomy()
    client = sign_in(Client(), world.alice)
    return {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}


@pytest.mark.django_db
@schema.exclude(path_regex="^/api/v1/(partner|schema)/").parametrize()
@PROPERTIES
def test_the_endpoints_for_signed_in_people_conform_to_the_schema(
    case: Any, practitioner_cookies: dict[str, str], world: Any
) -> None:
    person_id = (case.path_parameters or {}).get("person_id")
    if isinstance(person_id, int) and person_id % 2:
        case.path_parameters["person_id"] = world.amy.pk
    # The session is given, not generated, so schemathesis's "invalid credentials" probe does not
    # apply here; the partner test above keeps it (a bad token is refused with 401). These older
    # endpoints parse leniently as DRF does ("1" for true), which the negative-data probe flags.
    case.call_and_validate(
        cookies=practitioner_cookies,
        headers={"X-CSRFToken": CSRF},
        excluded_checks=[positive_data_acceptance, ignored_auth, negative_data_rejection],
    )
