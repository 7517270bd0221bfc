"""A refusal inside a page the user's role may open (another agency's plan, say): audited, then 403.

The URL policy refuses by role before the view runs; this is for the finer rules the actions
enforce, such as "only your own agency", so the refusal is still in the audit trail."""

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hearth.audit.actions import record
from hearth.audit.models import AuditAction


def not_permitted(
    request: HttpRequest, message: str, *, obj: Model | None = None, object_type: str = "url"
) -> HttpResponse:
    record(
        action=AuditAction.DENIED,
        by=request.user,
        request=request,
        object_type=object_type,
        object_id=obj.pk if obj is not None else "",
        reason=message,
    )
    return render(request, "web/not_permitted.html", {"message": message}, status=403)
