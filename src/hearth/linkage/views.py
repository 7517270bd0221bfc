"""The clerical review queue, the pair page and its decision, and the merges with their undo.

Reviewers see the identifying fields of source records, never a chronology; every page that
shows a pair is audited against both people.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.lib.http import AuthenticatedRequest
from hearth.linkage import actions
from hearth.linkage.forms import DecisionForm, UndoMergeForm
from hearth.linkage.merge import MergeRefused, unmerge, unmerge_refusal
from hearth.linkage.models import Merge, ReviewItem, ReviewStatus
from hearth.linkage.pairs import BAR_HALF, contributions, field_rows

PAGE_SIZE = 25
TABS = {
    "open": ("Waiting", Q(status=ReviewStatus.OPEN)),
    "not_sure": ("Not sure", Q(status=ReviewStatus.NOT_SURE)),
    "decided": (
        "Decided",
        Q(status__in=[ReviewStatus.SAME, ReviewStatus.DIFFERENT, ReviewStatus.WITHDRAWN]),
    ),
}
ORDERS = {"oldest": ("created_at", "pk"), "score": ("-match_probability", "created_at", "pk")}


def _errors_into(form: DecisionForm | UndoMergeForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def _person_ids(review: ReviewItem) -> list[int]:
    return sorted({p for p in (review.record.person_id, review.candidate.person_id) if p})


def queue(request: AuthenticatedRequest) -> HttpResponse:
    tab = request.GET.get("tab", "open")
    tab = tab if tab in TABS else "open"
    order = request.GET.get("order", "oldest")
    order = order if order in ORDERS else "oldest"
    counts = ReviewItem.objects.aggregate(
        **{key: Count("pk", filter=q) for key, (_, q) in TABS.items()}
    )
    items = (
        ReviewItem.objects.filter(TABS[tab][1])
        .select_related("record", "candidate", "model", "decided_by")
        .order_by(*(ORDERS[order] if tab != "decided" else ("-decided_at", "-pk")))
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = sorted({p for item in page for p in _person_ids(item)})
    if shown:
        record(
            action=AuditAction.VIEW_LIST,
            by=request.user,
            request=request,
            details={"list": f"linkage_review_{tab}", "person_ids": shown},
        )
    tabs = [(key, label, counts[key]) for key, (label, _) in TABS.items()]
    return render(
        request,
        "linkage/queue.html",
        {"tabs": tabs, "tab": tab, "order": order, "page": page, "counts": counts},
    )


def pair(request: AuthenticatedRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(
        ReviewItem.objects.select_related("record", "candidate", "model", "decided_by"),
        pk=review_id,
    )
    decidable = review.status in actions.TRANSITIONS
    form = DecisionForm(request.POST or None, not_sure_allowed=review.status == ReviewStatus.OPEN)
    if request.method == "POST" and decidable and form.is_valid():
        try:
            actions.decide(review=review, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            _errors_into(form, error)
        else:
            review.refresh_from_db()
            messages.success(request, _decided_message(review))
            return redirect("linkage:queue")
    people = _person_ids(review)
    for person_id in people:
        record(
            action=AuditAction.VIEW_MATCH,
            by=request.user,
            request=request,
            person_id=person_id,
            object_type="review_item",
            object_id=review.pk,
            details={"person_ids": people, "records": [review.record_id, review.candidate_id]},
        )
    return render(
        request,
        "linkage/pair.html",
        {
            "review": review,
            "rows": field_rows(review.record, review.candidate),
            "contributions": contributions(review),
            "bar_half": BAR_HALF,
            "bar_full": 2 * BAR_HALF,
            "probability_percent": review.match_probability * 100,
            "form": form,
            "decidable": decidable,
            "remembered": actions.is_remembered_non_match(review.record, review.candidate),
            "merge": Merge.objects.filter(review=review).first(),
        },
    )


def _decided_message(review: ReviewItem) -> str:
    if review.status == ReviewStatus.SAME:
        return "Same person: the two records are now one person. The merge can be undone."
    if review.status == ReviewStatus.DIFFERENT:
        return "Different people: this pair will not be proposed again."
    return "Marked not sure: it waits under “Not sure” for a second reviewer."


def merges(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(
        Merge.objects.select_related("survivor", "merged", "by", "undone_by").order_by(
            "-at", "-pk"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    shown = sorted({p for m in page for p in (m.survivor_id, m.merged_id)})
    if shown:
        record(
            action=AuditAction.VIEW_LIST,
            by=request.user,
            request=request,
            details={"list": "linkage_merges", "person_ids": shown},
        )
    return render(request, "linkage/merges.html", {"page": page})


def merge_detail(request: AuthenticatedRequest, merge_id: int) -> HttpResponse:
    merge = get_object_or_404(
        Merge.objects.select_related("survivor", "merged", "by", "undone_by", "review"),
        pk=merge_id,
    )
    form = UndoMergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unmerge(merge=merge, by=request.user, reason=form.cleaned_data["reason"])
        except (MergeRefused, ValidationError) as error:
            _errors_into(form, error)
        else:
            messages.success(request, "The merge has been undone: the two records are apart again.")
            return redirect(reverse("linkage:merges"))
    record(
        action=AuditAction.VIEW_LIST,
        by=request.user,
        request=request,
        object_type="merge",
        object_id=merge.pk,
        details={"list": "linkage_merge", "person_ids": [merge.survivor_id, merge.merged_id]},
    )
    snapshot = merge.snapshot or {}
    return render(
        request,
        "linkage/merge.html",
        {
            "merge": merge,
            "form": form,
            "refused": unmerge_refusal(merge),
            "moved": [
                (f"{m['model']}.{m['field']}", len(m["ids"])) for m in snapshot.get("moved", [])
            ],
            "kept": [
                (f"{k['model']}.{k['field']}", len(k["rows"]), k["rows"][0]["why"])
                for k in snapshot.get("kept", [])
            ],
        },
    )
