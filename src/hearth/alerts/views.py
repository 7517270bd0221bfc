"""My alerts, my team's alerts, an alert's evidence, and the response to it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hearth.access.helpers import RecordNotAvailable, get_person_for_user
from hearth.access.permissions import Permission, has_permission
from hearth.alerts import actions, queries
from hearth.alerts.forms import RespondForm
from hearth.alerts.models import Alert
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.lib.http import AuthenticatedRequest
from hearth.web.errors import apply_validation_error


def _list(request: AuthenticatedRequest, team: bool) -> HttpResponse:
    include_closed = request.GET.get("closed") == "1"
    alerts = list(
        queries.team_alerts(request.user, include_closed=include_closed)
        if team
        else queries.my_alerts(request.user, include_closed=include_closed)
    )
    if alerts:
        record(
            action=AuditAction.VIEW_LIST,
            by=request.user,
            request=request,
            details={
                "list": "team_alerts" if team else "my_alerts",
                "person_ids": sorted({a.child_id for a in alerts}),
            },
        )
    today = timezone.localdate()
    return render(
        request,
        "alerts/list.html",
        {
            "alerts": [(a, (today - a.fired_on).days) for a in alerts],
            "team": team,
            "include_closed": include_closed,
            "is_manager": has_permission(request.user, Permission.VIEW_TEAM_ALERTS),
        },
    )


def my_alerts(request: AuthenticatedRequest) -> HttpResponse:
    return _list(request, team=False)


def team_alerts(request: AuthenticatedRequest) -> HttpResponse:
    return _list(request, team=True)


def detail(request: HttpRequest, person_id: int, alert_id: int) -> HttpResponse:
    person = get_person_for_user(
        request, person_id, audit_action=AuditAction.VIEW_ALERT, details={"alert_id": alert_id}
    )
    alert = (
        Alert.objects.filter(pk=alert_id, child=person)
        .select_related("rule", "rule_version", "child")
        .first()
    )
    if alert is None:
        raise RecordNotAvailable(person.pk, f"alert {alert_id} is not about this child")
    can_respond = (
        has_permission(request.user, Permission.RESPOND_TO_ALERTS, person) and alert.is_open
    )
    form = RespondForm(request.POST or None)
    if request.method == "POST":
        if not can_respond:
            raise RecordNotAvailable(person.pk, "cannot respond to this alert")
        if form.is_valid():
            try:
                actions.respond(
                    by=request.user,
                    alert=alert,
                    kind=form.cleaned_data["kind"],
                    note=form.cleaned_data["note"],
                    close=form.cleaned_data["close"],
                    request=request,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, "Your response has been recorded.")
                return redirect("alerts:detail", person_id=person.pk, alert_id=alert.pk)
    return render(
        request,
        "alerts/detail.html",
        {
            "person": person,
            "alert": alert,
            "responses": list(alert.responses.all()),
            "form": form,
            "can_respond": can_respond,
        },
    )
