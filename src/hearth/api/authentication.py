"""DRF's side of partner-system tokens: the credential the middleware found, its scopes, and a
rate limit per credential."""

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, permissions, throttling
from rest_framework.request import Request

from hearth.api.models import ApiCredential


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Accepts the credential `ApiKeyMiddleware` checked; CSRF does not apply to a bearer token."""

    def authenticate(self, request: Request) -> tuple[Any, ApiCredential] | None:
        credential = getattr(request._request, "api_credential", None)
        if credential is None:
            return None
        return credential.user, credential

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="hearth"'


def credential_of(request: Request) -> ApiCredential | None:
    return request.auth if isinstance(request.auth, ApiCredential) else None


class HasScope(permissions.BasePermission):
    """Partner endpoints take a credential holding the view's `required_scope`."""

    message = "This API credential does not hold the scope this endpoint needs."

    def has_permission(self, request: Request, view: Any) -> bool:
        credential = credential_of(request)
        scope = getattr(view, "required_scope", None)
        if credential is None:
            self.message = "Partner endpoints take an API credential (Authorization: Bearer ...)."
            return False
        return scope is not None and credential.allows(scope)


class CredentialRateThrottle(throttling.SimpleRateThrottle):
    """Requests per credential, at `HEARTH_API_RATE` (e.g. 120/min)."""

    scope = "credential"

    def get_rate(self) -> str:
        return settings.HEARTH_API_RATE

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        credential = credential_of(request)
        return f"throttle_credential_{credential.prefix}" if credential else None


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes a partner system's token."""

    target_class = "hearth.api.authentication.ApiKeyAuthentication"
    name = "partnerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A partner system's API credential: hth_<prefix>_<secret>",
        }


class PeopleOnly(permissions.BasePermission):
    """The API's other endpoints serve signed-in people (the pages' scripts and tools): a partner
    system's credential reaches only the partner endpoints, within its scopes."""

    message = "An API credential may use only the partner endpoints (/api/v1/partner/)."

    def has_permission(self, request: Request, view: Any) -> bool:
        return getattr(request._request, "api_credential", None) is None
