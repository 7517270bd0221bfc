"""The signed-in home page: the work in front of this user."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from hearth.access.actions import reviewable_grants
from hearth.access.models import GrantStatus, Involvement
from hearth.access.permissions import Permission, has_permission
from hearth.access.scoping import visible_people
from hearth.accounts.models import Role
from hearth.alerts.queries import my_alerts
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.episodes.models import Episode, EpisodeKind, ScreeningStatus
from hearth.lib.http import AuthenticatedRequest
from hearth.people.households import current_q


def home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    context: dict[str, object] = {}
    shown: list[int] = []
    if has_permission(user, Permission.VIEW_RECORDS):
        allocated = list(
            Involvement.objects.filter(current_q(), practitioner=user)
            .select_related("person")
            .order_by("person__family_name")
        )
        context["allocated"] = allocated
        shown += [i.person_id for i in allocated]
        if user.role == Role.SCREENER:
            screening = list(
                Episode.objects.filter(
                    kind=EpisodeKind.REFERRAL, screening_status=ScreeningStatus.UNDER_SCREENING
                )
                .filter(child__in=visible_people(user))
                .select_related("child")
                .order_by("start_date")[:50]
            )
            context["screening"] = screening
            shown += [e.child_id for e in screening]
    if has_permission(user, Permission.RESPOND_TO_ALERTS):
        context["open_alerts"] = my_alerts(user).count()
    if has_permission(user, Permission.REVIEW_BREAK_GLASS):
        context["awaiting_review"] = (
            reviewable_grants(user).filter(status=GrantStatus.AWAITING_REVIEW).count()
        )
    if has_permission(user, Permission.REVIEW_MATCHES):
        from hearth.linkage.models import ReviewItem, ReviewStatus

        context["matches_waiting"] = ReviewItem.objects.filter(
            status__in=[ReviewStatus.OPEN, ReviewStatus.NOT_SURE]
        ).count()
    if shown:
        record(
            action=AuditAction.VIEW_LIST,
            by=user,
            request=request,
            details={"list": "home", "person_ids": shown},
        )
    return render(request, "web/home.html", context)


def health(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
