"""Adding, amending and retracting chronology entries, and an entry's history."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from hearth.access.helpers import RecordNotAvailable, get_person_for_user, record_read
from hearth.access.permissions import Permission
from hearth.audit.models import AuditAction
from hearth.chronology import actions
from hearth.chronology.forms import AmendForm, EntryForm, RetractForm
from hearth.chronology.models import ChronologyEntry
from hearth.chronology.queries import get_entry_in_chronology
from hearth.people.households import current_q, family_of
from hearth.people.models import Person, Residence
from hearth.web.errors import apply_validation_error


def add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_for_user(
        request, person_id, permission=Permission.RECORD_CHRONOLOGY, audit_action=None
    )
    family = family_of(person)
    choices = [(person.pk, f"{person.full_name} (this child)")] + [
        (m.person.pk, f"{m.person.full_name} – {', '.join(m.relationships)}")
        for m in family.members
    ]
    home = Residence.objects.filter(current_q(), person=person).select_related("address").first()
    form = EntryForm(
        request.POST or None, subject_choices=choices, initial={"subjects": [person.pk]}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["whole_household"] and home is None:
            form.add_error("whole_household", "This child has no current address recorded.")
        else:
            subjects = list(Person.objects.filter(pk__in=data["subjects"]))
            try:
                actions.create_entry(
                    by=request.user,
                    subjects=subjects,
                    household=home.address if data["whole_household"] and home else None,
                    event_date=data["event_date"],
                    date_accuracy=data["date_accuracy"],
                    event_type=data["event_type"],
                    description=data["description"],
                    impact_on_child=data["impact_on_child"],
                    sharing_level=data["sharing_level"],
                    restricted_roles=data.get("restricted_roles") or [],
                    request=request,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, "The entry has been added to the chronology.")
                return redirect("people:detail", person_id=person.pk)
    record_read(request, person, details={"form": "add"})
    return render(request, "chronology/add.html", {"person": person, "form": form, "home": home})


def _entry_or_refuse(request: HttpRequest, person: Person, entry_id: int) -> ChronologyEntry:
    entry = get_entry_in_chronology(request.user, person_id=person.pk, entry_id=entry_id)
    if entry is None:
        raise RecordNotAvailable(
            person.pk, f"entry {entry_id} not on this chronology or not shared with the user"
        )
    return entry


def history(request: HttpRequest, person_id: int, entry_id: int) -> HttpResponse:
    person = get_person_for_user(
        request,
        person_id,
        audit_action=AuditAction.VIEW_ENTRY_HISTORY,
        details={"entry_id": entry_id},
    )
    entry = _entry_or_refuse(request, person, entry_id)
    versions = list(entry.versions.select_related("event_type").order_by("-version"))
    return render(
        request,
        "chronology/history.html",
        {
            "person": person,
            "entry": entry,
            "versions": versions,
            "can_change": actions.can_change_entry(request.user, entry),
        },
    )


def _changeable_entry(
    request: HttpRequest, person_id: int, entry_id: int
) -> tuple[Person, ChronologyEntry]:
    """The person and an entry on their chronology that this user's agency may amend or retract."""
    person = get_person_for_user(
        request, person_id, permission=Permission.RECORD_CHRONOLOGY, audit_action=None
    )
    entry = _entry_or_refuse(request, person, entry_id)
    if not actions.can_change_entry(request.user, entry):
        raise RecordNotAvailable(person.pk, "only the recording agency can change an active entry")
    return person, entry


def amend(request: HttpRequest, person_id: int, entry_id: int) -> HttpResponse:
    person, entry = _changeable_entry(request, person_id, entry_id)
    initial = {f: getattr(entry, f) for f in actions.CONTENT_FIELDS}
    initial["restricted_roles"] = actions.decode_roles(entry.restricted_roles)
    form = AmendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            actions.amend_entry(
                by=request.user,
                entry=entry,
                reason=reason,
                request=request,
                person_id=person.pk,
                **data,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "The entry has been amended. The earlier version is kept in its history."
            )
            return redirect("chronology:history", person_id=person.pk, entry_id=entry.pk)
    record_read(request, person, details={"form": "amend", "entry_id": entry.pk})
    return render(
        request, "chronology/amend.html", {"person": person, "entry": entry, "form": form}
    )


def retract(request: HttpRequest, person_id: int, entry_id: int) -> HttpResponse:
    person, entry = _changeable_entry(request, person_id, entry_id)
    form = RetractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.retract_entry(
                by=request.user,
                entry=entry,
                reason=form.cleaned_data["reason"],
                request=request,
                person_id=person.pk,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "The entry has been retracted. It stays in the history, marked retracted."
            )
            return redirect("chronology:history", person_id=person.pk, entry_id=entry.pk)
    record_read(request, person, details={"form": "retract", "entry_id": entry.pk})
    return render(
        request, "chronology/retract.html", {"person": person, "entry": entry, "form": form}
    )
