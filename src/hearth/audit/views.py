"""Information governance: who has seen a child's record, and what a user saw."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hearth.audit.actions import record
from hearth.audit.forms import PersonAuditForm, UserAuditForm
from hearth.audit.models import AuditAction
from hearth.audit.queries import what_user_saw, who_has_seen
from hearth.people.models import Person


def index(request: HttpRequest) -> HttpResponse:
    person_form = PersonAuditForm(request.GET or None)
    if person_form.is_bound and person_form.is_valid():
        return redirect("audit:person", person_id=person_form.cleaned_data["person_id"])
    return render(
        request, "audit/index.html", {"person_form": person_form, "user_form": UserAuditForm()}
    )


def person(request: HttpRequest, person_id: int) -> HttpResponse:
    events = who_has_seen(person_id)
    subject = Person.objects.filter(pk=person_id).only("given_name", "family_name").first()
    record(
        action=AuditAction.VIEW_AUDIT,
        by=request.user,
        request=request,
        person_id=person_id,
        object_type="person",
        object_id=person_id,
        details={"question": "who has seen this record"},
    )
    return render(
        request, "audit/person.html", {"events": events, "subject": subject, "person_id": person_id}
    )


def user(request: HttpRequest) -> HttpResponse:
    form = UserAuditForm(request.GET or None)
    events = None
    if form.is_bound and form.is_valid():
        target = form.cleaned_data["user"]
        events = list(
            what_user_saw(target.pk, form.cleaned_data["start"], form.cleaned_data["end"])
        )
        record(
            action=AuditAction.VIEW_AUDIT,
            by=request.user,
            request=request,
            object_type="user",
            object_id=target.pk,
            details={
                "question": "what did this user see",
                "start": form.cleaned_data["start"].isoformat(),
                "end": form.cleaned_data["end"].isoformat(),
            },
        )
    return render(request, "audit/user.html", {"form": form, "events": events})
