"""What the OpenAPI schema says about the API's error answers."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse


def api_errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error answers an endpoint gives: JSON naming each field (or `detail`)."""
    text = {
        400: "The request is not valid: each field named with what is wrong",
        401: "No valid API credential (unknown, malformed or revoked)",
        403: "Not permitted: the role, or the credential's scopes, do not allow it",
        404: "No such child, or none the agency has a relationship with (the same answer)",
        409: "The source reference belongs to another record, or the same key is in progress",
        422: "The Idempotency-Key was already used for a different request",
        415: "The body is not in a form the endpoint reads (or cannot be parsed as one): send JSON",
        429: "Too many requests for this credential: slow down",
    }
    return {c: OpenApiResponse(OpenApiTypes.OBJECT, description=text[c]) for c in codes}
