"""The dataset page, one indicator's detail, the definitions, the printable report and the
downloads: aggregate figures for analysts, scrutineers and administrators only (the URL policy)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hearth.actionplans import reporting as actionplan_reporting
from hearth.actionplans.models import StrategicObjective
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.lib.periods import Quarter
from hearth.partnership import actions, exports
from hearth.partnership import dataset as datasets
from hearth.partnership.charts import trend_chart
from hearth.partnership.forms import DatasetFilterForm, ReportingSettingsForm
from hearth.partnership.indicators import LIBRARY
from hearth.partnership.measures import Group
from hearth.partnership.reference import settings as reporting_settings

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def _filters(request: HttpRequest) -> DatasetFilterForm:
    form = DatasetFilterForm(
        request.GET or None, default_quarter=Quarter.last_complete(timezone.localdate())
    )
    form.is_valid()
    return form


def _chosen(form: DatasetFilterForm) -> tuple[Quarter, object]:
    data = getattr(form, "cleaned_data", {})
    quarter = data.get("quarter") if "quarter" not in form.errors else None
    return quarter or form.default_quarter, data.get("agency")


def _fresh(request: HttpRequest) -> bool:
    return request.GET.get("fresh") == "1"


def _charts(data: datasets.Dataset) -> dict[str, str]:
    return {
        r.indicator.code: trend_chart(
            f"chart-{r.indicator.code}", r.indicator.name, r.trend, r.indicator.unit
        )
        for r in data.rows
    }


def dataset_page(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    quarter, agency = _chosen(form)
    data = datasets.compute_recent(quarter, agency=agency, fresh=_fresh(request))  # type: ignore[arg-type]
    query = request.GET.urlencode()
    return render(
        request,
        "partnership/dataset.html",
        {"form": form, "data": data, "quarter": quarter, "charts": _charts(data), "query": query},
    )


def report(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    quarter, agency = _chosen(form)
    data = datasets.compute_recent(quarter, agency=agency, fresh=_fresh(request))  # type: ignore[arg-type]
    record(
        action=AuditAction.EXPORT,
        by=request.user,
        request=request,
        object_type="dataset",
        object_id=quarter.code,
        details={"format": "report", "agency": getattr(agency, "code", None)},
    )
    return render(
        request,
        "partnership/report.html",
        {"data": data, "quarter": quarter, "charts": _charts(data), "rag": _rag_summary(quarter)},
    )


def _rag_summary(quarter: Quarter) -> dict[str, object]:
    """The action plans' heatmap, as the partnership summary shows it, for the report."""
    today = timezone.localdate()
    return {
        "rows": actionplan_reporting.heatmap(quarter, today=today),
        "objectives": StrategicObjective.choices,
        "counts": actionplan_reporting.rag_counts(quarter),
        "previous": quarter.previous(),
    }


def indicator_detail(request: HttpRequest, indicator: str) -> HttpResponse:
    code = indicator
    if code not in LIBRARY:
        raise Http404("No such indicator")
    form = _filters(request)
    quarter, agency = _chosen(form)
    data = datasets.compute_recent(quarter, agency=agency, codes=[code], fresh=_fresh(request))  # type: ignore[arg-type]
    row = data.row(code)
    groups: dict[str, list[Group]] = {}
    for group in row.current.groups:
        groups.setdefault(group.dimension, []).append(group)
    return render(
        request,
        "partnership/indicator.html",
        {
            "form": form,
            "data": data,
            "row": row,
            "groups": groups,
            "chart": _charts(data)[code],
            "query": request.GET.urlencode(),
        },
    )


def definitions(request: HttpRequest) -> HttpResponse:
    return render(request, "partnership/definitions.html", {"indicators": list(LIBRARY.values())})


def download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404("No such format")
    form = _filters(request)
    quarter, agency = _chosen(form)
    publication = request.GET.get("publication") == "1"
    data = datasets.compute_recent(quarter, agency=agency, fresh=_fresh(request))  # type: ignore[arg-type]
    if fmt == "xlsx":
        body: bytes | str = exports.to_xlsx(data, publication=publication)
    elif fmt == "csv":
        body = exports.to_csv(data, publication=publication)
    else:
        body = exports.to_json(data, publication=publication)
    record(
        action=AuditAction.EXPORT,
        by=request.user,
        request=request,
        object_type="dataset",
        object_id=quarter.code,
        details={
            "format": fmt,
            "publication": publication,
            "agency": getattr(agency, "code", None),
        },
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    suffix = f"-{agency.code}" if agency else ""  # type: ignore[attr-defined]
    marker = "-for-publication" if publication else "-not-for-publication"
    response["Content-Disposition"] = (
        f'attachment; filename="hearth-neglect-dataset-{quarter.code}{suffix}{marker}.{fmt}"'
    )
    return response


def edit_settings(request: HttpRequest) -> HttpResponse:
    current = reporting_settings()
    form = ReportingSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        actions.update_settings(by=request.user, form=form)
        messages.success(request, "Reporting settings saved")
        return redirect("partnership:dataset")
    return render(request, "partnership/settings.html", {"form": form})
