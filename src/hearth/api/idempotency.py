"""Idempotency keys on partner writes: the same key and body again gets the first answer back,
and nothing is written twice. A key reused for a different body is refused."""

import hashlib
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from hearth.api.authentication import credential_of
from hearth.api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
# As the schema says (`partner.IDEMPOTENCY_KEY`): 1 to 100 characters, none of them white space
# or NUL (which PostgreSQL text cannot hold).
# A server in front strips the spaces HTTP allows around a header's value before Hearth sees it.
KEY = re.compile(r"[^\s\x00]{1,100}")


def idempotent(request: Request, write: Callable[[], Response]) -> Response:
    credential = credential_of(request)
    key = request.headers.get(HEADER, "")
    if credential is None:
        return write()
    if not KEY.fullmatch(key):
        return Response(
            {
                HEADER: [
                    f"Send an {HEADER} header with every write: 1 to 100 characters, no spaces."
                ]
            },
            status=400,
        )
    digest = hashlib.sha256(request.body).hexdigest()
    with transaction.atomic():
        earlier = (
            IdempotencyRecord.objects.select_for_update()
            .filter(credential=credential, key=key)
            .first()
        )
        if earlier is not None:
            if earlier.request_hash != digest:
                return Response(
                    {HEADER: ["This key was already used for a different request."]}, status=422
                )
            return Response(
                earlier.body, status=earlier.status_code, headers={"Idempotent-Replayed": "true"}
            )
        response = write()
        if 200 <= response.status_code < 300:
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(
                        credential=credential,
                        key=key,
                        request_hash=digest,
                        status_code=response.status_code,
                        body=response.data,
                        created_at=timezone.now(),
                    )
            except IntegrityError:
                # The same key sent twice at once: the other one wrote; this one writes nothing.
                transaction.set_rollback(True)
                return Response(
                    {HEADER: ["A request with this key is in progress; retry."]}, status=409
                )
        return response
