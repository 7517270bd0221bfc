"""The child's toolkit: start, save, complete, read and amend practice tools."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from hearth.access.helpers import RecordNotAvailable, get_person_for_user, record_read
from hearth.access.permissions import Permission, has_permission
from hearth.audit.models import AuditAction
from hearth.chronology.queries import chronology_summary
from hearth.people.households import family_of
from hearth.people.models import Person
from hearth.plans.models import PlanAction
from hearth.plans.smart import check_next_step
from hearth.recording.analyser import Flag, analyse
from hearth.toolkit import actions, charts, queries
from hearth.toolkit.engine import ToolForm, analysed_texts, describe
from hearth.toolkit.forms import AmendReasonForm, ResponseMetaForm
from hearth.toolkit.models import ResponseStatus, Tool, ToolResponse, ToolVersion
from hearth.toolkit.reporting import MANDATORY_WINDOW_DAYS
from hearth.toolkit.summary import ordered_areas, ordered_scales, result_headline
from hearth.web.errors import apply_validation_error


def advice_for(definition: dict[str, Any], answers: dict[str, Any]) -> dict[str, list[Flag]]:
    """Recording-quality advice for each analysed answer. It advises; it never blocks saving."""
    advice: dict[str, list[Flag]] = {}
    for name, (text, _voice) in analysed_texts(definition, answers).items():
        flags = analyse(text)
        if flags:
            advice[name] = flags
    return advice


def _family_choices(person: Person) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    family = family_of(person)
    carers = [
        (m.person.pk, f"{m.person.full_name} ({', '.join(m.relationships) or 'adult'})")
        for m in family.adults
    ]
    siblings = [(m.person.pk, m.person.full_name) for m in family.siblings]
    return carers, siblings


def _plan_action_choices(person: Person) -> list[tuple[int, str]]:
    return [
        (a.pk, f"{a.what[:90]} ({a.plan.get_kind_display()})")
        for a in PlanAction.objects.filter(plan__child=person, plan__end_date__isnull=True)
        .select_related("plan")
        .order_by("pk")
    ]


def _names(person: Person) -> dict[str, dict[int, str]]:
    carers, siblings = _family_choices(person)
    return {
        "people": dict(carers + siblings),
        "plan_actions": {a.pk: a.what[:120] for a in PlanAction.objects.filter(plan__child=person)},
    }


def _response_for(
    request: HttpRequest, person: Person, response_id: int, *, drafts: bool = True
) -> ToolResponse:
    """A response about this person that this user may see (drafts only within their agency)."""
    response = (
        ToolResponse.objects.filter(pk=response_id, subject_links__person=person)
        .select_related("tool", "tool_version", "agency", "carer", "child")
        .first()
    )
    if response is None or (
        response.is_draft and (not drafts or not actions.can_edit_response(request.user, response))
    ):
        raise RecordNotAvailable(person.pk, f"tool response {response_id} not available")
    return response


def child_toolkit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_for_user(request, person_id, details={"page": "toolkit"})
    responses = list(queries.responses_about(request.user, person))
    family = family_of(person)
    today = timezone.localdate()
    trend = queries.graded_care_trend(responses)
    completed = [r for r in responses if r.status == ResponseStatus.COMPLETED]
    rows = [
        {
            "response": r,
            "headline": result_headline(
                r.tool_version.definition,
                queries.rescore_time_dependent(r, today),
                r.answers,
            ),
        }
        for r in completed
    ]
    window_start = today - timedelta(days=MANDATORY_WINDOW_DAYS)
    tools = list(queries.active_tools())
    latest: dict[int, ToolResponse] = {}
    for r in completed:
        latest.setdefault(r.tool_id, r)
    return render(
        request,
        "toolkit/child.html",
        {
            "person": person,
            "tools": [
                {
                    "tool": t,
                    "latest": latest.get(t.pk),
                    "recent": bool(
                        latest.get(t.pk) and (latest[t.pk].effective_date or today) >= window_start
                    ),
                }
                for t in tools
            ],
            "drafts": [r for r in responses if r.is_draft],
            "rows": rows,
            "trend": trend,
            "chart": charts.graded_care_chart(trend) if trend else "",
            "siblings": queries.siblings_side_by_side(request.user, person, family),
            "sdq": queries.sdq_history(completed),
            "capacity": [
                (t, [(r, queries.rescore_time_dependent(r, today)) for r in t.responses])
                for t in queries.capacity_trajectories(completed)
            ],
            "can_use": has_permission(request.user, Permission.USE_TOOLKIT),
        },
    )


def start(request: HttpRequest, person_id: int, code: str) -> HttpResponse:
    person = get_person_for_user(
        request, person_id, permission=Permission.USE_TOOLKIT, audit_action=None
    )
    tool = get_object_or_404(Tool, code=code, active=True)
    version = tool.current_version()
    if version is None:
        raise RecordNotAvailable(person.pk, f"tool {code} has no published version")
    return _edit(request, person, version, None)


def edit(request: HttpRequest, person_id: int, response_id: int) -> HttpResponse:
    person = get_person_for_user(
        request, person_id, permission=Permission.USE_TOOLKIT, audit_action=None
    )
    response = _response_for(request, person, response_id)
    if not response.is_draft:
        return redirect("toolkit:amend", person_id=person.pk, response_id=response.pk)
    return _edit(request, person, response.tool_version, response)


def _edit(
    request: HttpRequest, person: Person, version: ToolVersion, response: ToolResponse | None
) -> HttpResponse:
    definition = version.definition
    carers, siblings = _family_choices(person)
    action = request.POST.get("action", "draft")
    add = request.GET.get("add", "")
    form = ToolForm(
        definition,
        request.POST or None,
        answers=response.answers if response else None,
        choices={"carers": carers, "plan_actions": _plan_action_choices(person)},
        extra_items={add: 1} if add else None,
    )
    meta = ResponseMetaForm(
        request.POST or None,
        prefix="meta",
        carers=carers,
        siblings=siblings,
        initial={
            "carer": response.carer_id if response else None,
            "siblings": [
                pk
                for pk in (
                    response.subject_links.values_list("person_id", flat=True) if response else []
                )
                if pk != person.pk
            ],
        },
    )
    advice: dict[str, list[Flag]] = {}
    if request.method == "POST" and form.is_valid() and meta.is_valid():
        answers = form.answers()
        advice = advice_for(definition, answers)
        carer = (
            Person.objects.filter(pk=meta.cleaned_data["carer"]).first()
            if meta.cleaned_data["carer"]
            else None
        )
        sibs = list(Person.objects.filter(pk__in=meta.cleaned_data["siblings"] or []))
        if not definition.get("covers_siblings"):
            sibs = []
        if action == "complete" and definition.get("per_carer") and carer is None:
            meta.add_error("carer", "Choose the carer this is about.")
        if action != "complete" or (form.check_complete() and not meta.errors):
            try:
                response = actions.save_draft(
                    by=request.user,
                    tool_version=version,
                    child=person,
                    answers=answers,
                    carer=carer,
                    siblings=sibs,
                    response=response,
                    request=request,
                )
                if action == "complete":
                    actions.complete(
                        by=request.user,
                        response=response,
                        answers=answers,
                        carer=carer,
                        siblings=sibs,
                        request=request,
                    )
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                if action == "complete":
                    messages.success(
                        request,
                        f"The {version.tool.name} is complete and has been added to the chronology.",
                    )
                    return redirect(
                        "toolkit:response", person_id=person.pk, response_id=response.pk
                    )
                url = reverse("toolkit:edit", args=[person.pk, response.pk])
                if action.startswith("add:"):
                    return redirect(f"{url}?add={action[4:]}#section-{action[4:]}")
                messages.success(request, "Your draft has been saved.")
                return redirect(url)
    elif response is not None and request.method != "POST":
        advice = advice_for(definition, response.answers)
    record_read(request, person, details={"form": "tool", "tool": version.tool.code})
    return render(
        request,
        "toolkit/edit.html",
        {
            "person": person,
            "version": version,
            "definition": definition,
            "response": response,
            "form": form,
            "meta": meta,
            "blocks": form.blocks(advice),
            "amending": False,
            "what_we_know": _what_we_know(request, person)
            if version.scoring_method == "so_what"
            else None,
        },
    )


def _what_we_know(request: HttpRequest, person: Person) -> dict[str, Any]:
    """For the "So what?" analysis: the child's latest result from each tool, and what the family's
    chronology holds over the last year, by neglect domain and agency."""
    today = timezone.localdate()
    latest: dict[int, ToolResponse] = {}
    for r in queries.responses_about(request.user, person).filter(status=ResponseStatus.COMPLETED):
        latest.setdefault(r.tool_id, r)
    return {
        "tools": [
            (
                r,
                result_headline(
                    r.tool_version.definition,
                    queries.rescore_time_dependent(r, today),
                    r.answers,
                ),
            )
            for r in latest.values()
        ],
        "chronology": chronology_summary(
            request.user,
            child_id=person.pk,
            person_ids=family_of(person).ids,
            since=today - timedelta(days=365),
        ),
    }


def response_detail(request: HttpRequest, person_id: int, response_id: int) -> HttpResponse:
    person = get_person_for_user(
        request,
        person_id,
        audit_action=AuditAction.VIEW_TOOL,
        details={"response_id": response_id},
    )
    response = _response_for(request, person, response_id)
    versions = list(response.versions.order_by("-version"))
    shown_version = None
    answers, result = response.answers, response.result
    if request.GET.get("version", "").isdigit():
        shown_version = next(
            (v for v in versions if v.version == int(request.GET["version"])), None
        )
        if shown_version is not None:
            answers, result = shown_version.answers, shown_version.result
    definition = response.tool_version.definition
    method = response.tool_version.scoring_method
    if method == "capacity_to_change" and shown_version is None:
        result = queries.rescore_time_dependent(response, timezone.localdate())
    next_steps = (
        [(step, check_next_step(step)) for step in (answers.get("next_steps") or [])]
        if method == "so_what"
        else []
    )
    return render(
        request,
        "toolkit/response.html",
        {
            "person": person,
            "response": response,
            "definition": definition,
            "method": method,
            "sections": describe(definition, answers, _names(person)),
            "result": result,
            "headline": result_headline(definition, result, answers),
            "areas": ordered_areas(definition, result),
            "scales": ordered_scales(result),
            "versions": versions,
            "shown_version": shown_version,
            "next_steps": next_steps,
            "advice": advice_for(definition, answers),
            "subjects": list(
                Person.objects.filter(pk__in=response.subject_links.values("person_id"))
            ),
            "can_amend": not response.is_draft
            and actions.can_edit_response(request.user, response)
            and has_permission(request.user, Permission.USE_TOOLKIT),
        },
    )


def amend(request: HttpRequest, person_id: int, response_id: int) -> HttpResponse:
    person = get_person_for_user(
        request, person_id, permission=Permission.USE_TOOLKIT, audit_action=None
    )
    response = _response_for(request, person, response_id)
    if response.is_draft:
        return redirect("toolkit:edit", person_id=person.pk, response_id=response.pk)
    if not actions.can_edit_response(request.user, response):
        raise RecordNotAvailable(person.pk, "only the agency that completed a response amends it")
    definition = response.tool_version.definition
    carers, _siblings = _family_choices(person)
    action = request.POST.get("action", "")
    # "Add another review" while amending re-shows what was typed with one more block: nothing saved.
    adding = action[4:] if action.startswith("add:") else ""
    form = ToolForm(
        definition,
        request.POST or None,
        answers=response.answers,
        choices={"carers": carers, "plan_actions": _plan_action_choices(person)},
        extra_items={adding: 1} if adding else None,
    )
    meta = ResponseMetaForm(
        request.POST or None, prefix="meta", carers=carers, initial={"carer": response.carer_id}
    )
    reason = AmendReasonForm(request.POST or None)
    valid = not adding and form.is_valid() and meta.is_valid() and reason.is_valid()
    if request.method == "POST" and valid and form.check_complete():
        carer_id = meta.cleaned_data["carer"]
        try:
            actions.amend(
                by=request.user,
                response=response,
                answers=form.answers(),
                reason=reason.cleaned_data["reason"],
                carer=Person.objects.filter(pk=carer_id).first() if carer_id else None,
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The response has been amended. The earlier version is kept.")
            return redirect("toolkit:response", person_id=person.pk, response_id=response.pk)
    record_read(request, person, details={"form": "amend_tool", "response_id": response.pk})
    return render(
        request,
        "toolkit/edit.html",
        {
            "person": person,
            "version": response.tool_version,
            "definition": definition,
            "response": response,
            "form": form,
            "meta": meta,
            "reason_form": reason,
            "blocks": form.blocks(advice_for(definition, response.answers)),
            "amending": True,
        },
    )


def library(request: HttpRequest) -> HttpResponse:
    tools = list(Tool.objects.prefetch_related("versions").order_by("position", "name"))
    return render(request, "toolkit/library.html", {"tools": tools})


def version_detail(request: HttpRequest, code: str, version: int) -> HttpResponse:
    tool_version = get_object_or_404(ToolVersion, tool__code=code, version=version)
    return render(
        request,
        "toolkit/version.html",
        {"version": tool_version, "definition": tool_version.definition},
    )
