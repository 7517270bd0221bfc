"""Imports in the browser: upload a file, read the check, choose what to load, see the result.

The administrator who runs imports has no access to children's records, so these pages show
counts, LA child IDs and the problems found, and never link to a child's record.
"""

import csv
from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hearth.interop import actions, progress, report
from hearth.interop.forms import ExtractLoadForm, ExtractUploadForm, LoadForm, UploadForm
from hearth.interop.models import ChildOutcome, ImportKind, ImportRun, RunStatus
from hearth.lib.http import AuthenticatedRequest
from hearth.partnership.exports import safe_text
from hearth.web.errors import apply_validation_error

SHOWN_PROBLEMS = 500
SHOWN_CHILDREN = 500


def index(request: AuthenticatedRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        if (upload.size or 0) > settings.IMPORT_MAX_UPLOAD_BYTES:
            form.add_error(
                "file",
                f"The file is larger than {settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)} MB, "
                "the most Hearth accepts in the browser: ask for it to be loaded from the "
                "command line.",
            )
        else:
            try:
                new = actions.receive_upload(
                    by=request.user,
                    name=upload.name or "upload.xml",
                    chunks=upload.chunks(),
                    request=request,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                if new.size_bytes <= settings.IMPORT_SYNC_MAX_BYTES:
                    actions.validate_run(run=new)
                return redirect("interop:run", run_id=new.pk)
    return render(
        request,
        "interop/index.html",
        {
            "form": form,
            "runs": ImportRun.objects.all()[:20],
            "max_mb": settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024),
        },
    )


def _too_large(form: Any, upload: UploadedFile) -> bool:
    if (upload.size or 0) <= settings.IMPORT_MAX_UPLOAD_BYTES:
        return False
    form.add_error(
        "file",
        f"The file is larger than {settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024)} MB, the most "
        "Hearth accepts in the browser: ask for it to be loaded from the command line.",
    )
    return True


def extracts_index(request: AuthenticatedRequest) -> HttpResponse:
    """Upload an agency's extract (CSV or Excel) of one kind; it is checked before anything loads."""
    form = ExtractUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        if not _too_large(form, upload):
            try:
                new = actions.receive_upload(
                    by=request.user,
                    name=upload.name or "extract.csv",
                    chunks=upload.chunks(),
                    request=request,
                    kind=form.cleaned_data["kind"],
                    agency_code=form.cleaned_data["agency"].code,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                if new.size_bytes <= settings.IMPORT_SYNC_MAX_BYTES:
                    actions.validate_run(run=new)
                return redirect("interop:run", run_id=new.pk)
    return render(
        request,
        "interop/extracts.html",
        {
            "form": form,
            "runs": ImportRun.objects.exclude(kind=ImportKind.CIN_CENSUS)[:20],
            "max_mb": settings.IMPORT_MAX_UPLOAD_BYTES // (1024 * 1024),
        },
    )


def _extract_run(request: AuthenticatedRequest, item: ImportRun, form: Any = None) -> HttpResponse:
    working = item.status in (RunStatus.UPLOADED, RunStatus.QUEUED, RunStatus.LOADING)
    rejected = list(islice(report.rejected_rows(item), SHOWN_PROBLEMS))
    if form is None and item.status == RunStatus.VALIDATED:
        form = ExtractLoadForm(initial={"mode": "partial" if item.problem_count else "reject"})
    return render(
        request,
        "interop/extract_run.html",
        {
            "run": item,
            "rejected": rejected,
            "working": working,
            "progress": progress.read(item) if working else None,
            "load_form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _children(run: ImportRun, outcome: str) -> list[str]:
    return list(
        run.outcomes.filter(outcome=outcome).values_list("la_child_id", flat=True)[:SHOWN_CHILDREN]
    )


def run(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    item = get_object_or_404(ImportRun, pk=run_id)
    if item.kind != ImportKind.CIN_CENSUS:
        return _extract_run(request, item)
    problems = list(item.problems.all()[:SHOWN_PROBLEMS])
    by_child: dict[str, list[object]] = {}
    for problem in problems:
        by_child.setdefault(problem.child or "The whole file", []).append(problem)
    working = item.status in (RunStatus.UPLOADED, RunStatus.QUEUED, RunStatus.LOADING)
    return render(
        request,
        "interop/run.html",
        {
            "run": item,
            "by_child": by_child,
            "shown_problems": len(problems),
            "working": working,
            "progress": progress.read(item) if working else None,
            "load_form": LoadForm(initial={"mode": "partial" if item.problem_count else "reject"})
            if item.status == RunStatus.VALIDATED
            else None,
            "created": _children(item, ChildOutcome.CREATED),
            "updated": _children(item, ChildOutcome.UPDATED),
            "unchanged": _children(item, ChildOutcome.UNCHANGED),
            "held_back": _children(item, ChildOutcome.HELD_BACK),
            "shown_children": SHOWN_CHILDREN,
            "skipped": sorted(item.skipped.items()),
        },
    )


@require_POST
def load(request: AuthenticatedRequest, run_id: int) -> HttpResponse:
    item = get_object_or_404(ImportRun, pk=run_id)
    extract = item.kind != ImportKind.CIN_CENSUS
    form = ExtractLoadForm(request.POST) if extract else LoadForm(request.POST)
    if form.is_valid():
        try:
            actions.request_load(
                by=request.user, run=item, mode=form.cleaned_data["mode"], request=request
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return redirect("interop:run", run_id=item.pk)
    if extract:
        return _extract_run(request, item, form)
    return render(request, "interop/run.html", {"run": item, "load_form": form}, status=400)


def report_csv(request: AuthenticatedRequest, run_id: int) -> StreamingHttpResponse:
    item = get_object_or_404(ImportRun, pk=run_id)

    class Echo:
        def write(self, value: str) -> str:
            return value

    extract = item.kind != ImportKind.CIN_CENSUS
    columns = report.REJECTED_COLUMNS if extract else report.CSV_COLUMNS

    def rows() -> Iterator[str]:
        writer = csv.writer(Echo())
        yield writer.writerow(columns)
        for row in report.rejected_rows(item) if extract else report.problem_rows(item):
            yield writer.writerow([safe_text(row[c]) for c in columns])

    name = "rejected-rows" if extract else "report"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{item.pk}-{name}.csv"'
    return response
