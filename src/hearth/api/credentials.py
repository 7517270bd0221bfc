"""Making, revoking and checking partner-system credentials.

A secret looks like `hth_<prefix>_<secret>`; the prefix finds the credential and the SHA-256 of
the whole token is compared in constant time. The secret has 256 bits of randomness, so a fast
hash is the right one (as for GitHub's or Stripe's keys): nothing is gained by a slow one.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from hearth.access.permissions import Permission, has_permission
from hearth.accounts.models import Role
from hearth.agencies.models import Agency
from hearth.api.models import ApiCredential, Scope
from hearth.audit.actions import record
from hearth.audit.models import AuditAction

TOKEN_PREFIX = "hth_"


@dataclass(frozen=True)
class NewCredential:
    credential: ApiCredential
    token: str  # shown once; only its hash is stored


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_scopes(scopes: list[str]) -> list[str]:
    valid = set(Scope.values)
    unknown = [s for s in scopes if s not in valid]
    if unknown or not scopes:
        raise ValidationError(
            {"scopes": f"Choose one or more of {', '.join(Scope.values)}; not {unknown or 'none'}."}
        )
    return sorted(set(scopes))


@transaction.atomic
def create_credential(
    *, by: Any, agency: Agency, name: str, scopes: list[str], request: Any = None
) -> NewCredential:
    if by is not None and not has_permission(by, Permission.MANAGE_API_CREDENTIALS):
        raise PermissionDenied("Only an administrator makes API credentials.")
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Name the partner system the credential is for."})
    if ApiCredential.objects.filter(agency=agency, name=name).exists():
        raise ValidationError({"name": f"{agency.name} already has a credential called {name!r}."})
    scopes = clean_scopes(scopes)
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    user = get_user_model().objects.create(
        username=f"api-{prefix}",
        first_name=name[:150],
        agency=agency,
        role=Role.PRACTITIONER,
        job_title=f"Partner system: {name}"[:120],
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    credential = ApiCredential.objects.create(
        agency=agency,
        name=name,
        user=user,
        prefix=prefix,
        secret_hash=_hash(token),
        scopes=scopes,
        created_at=timezone.now(),
        created_by=getattr(by, "username", "") or "command line",
    )
    record(
        action=AuditAction.CREATE_API_CREDENTIAL,
        by=by,
        request=request,
        object_type="api_credential",
        object_id=credential.pk,
        details={"agency": agency.code, "name": name, "scopes": scopes, "prefix": prefix},
    )
    return NewCredential(credential, token)


@transaction.atomic
def revoke_credential(
    *, by: Any, credential: ApiCredential, reason: str, request: Any = None
) -> ApiCredential:
    if by is not None and not has_permission(by, Permission.MANAGE_API_CREDENTIALS):
        raise PermissionDenied("Only an administrator revokes API credentials.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the credential is being revoked."})
    if credential.revoked_at is not None:
        raise ValidationError("This credential is already revoked.")
    credential.revoked_at = timezone.now()
    credential.revoked_by = getattr(by, "username", "") or "command line"
    credential.save(update_fields=["revoked_at", "revoked_by"])
    credential.user.is_active = False
    credential.user.save(update_fields=["is_active"])
    record(
        action=AuditAction.REVOKE_API_CREDENTIAL,
        by=by,
        request=request,
        object_type="api_credential",
        object_id=credential.pk,
        reason=reason.strip(),
        details={"prefix": credential.prefix},
    )
    return credential


def authenticate(header: str) -> ApiCredential | None:
    """The active credential named by an `Authorization: Bearer hth_...` header, or None."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        return None
    prefix = token[len(TOKEN_PREFIX) :].split("_", 1)[0]
    credential = (
        ApiCredential.objects.filter(prefix=prefix, revoked_at__isnull=True)
        .select_related("user", "agency")
        .first()
    )
    if credential is None or not hmac.compare_digest(credential.secret_hash, _hash(token)):
        return None
    if not credential.user.is_active:
        return None
    now = timezone.now()
    if credential.last_used_at is None or (now - credential.last_used_at).total_seconds() > 60:
        ApiCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
    return credential
