"""A read API over the same services and the same access helper as the screens."""

import json
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from hearth.access.helpers import get_person_for_user
from hearth.agencies.models import Agency
from hearth.api.schema import api_errors
from hearth.api.serializers import ChildRecordSerializer, PersonSummarySerializer
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.lib.periods import Quarter
from hearth.partnership import dataset as datasets
from hearth.partnership import exports
from hearth.people.child_page import build_child_page
from hearth.people.search import SearchQuery
from hearth.people.services import audited_search
from hearth.recording.analyser import analyse


class SearchParams(serializers.Serializer):
    name = serializers.CharField(required=False, default="")
    date_of_birth = serializers.DateField(required=False, default=None)
    nhs_number = serializers.CharField(required=False, default="")
    upn = serializers.CharField(required=False, default="")
    postcode = serializers.CharField(required=False, default="")


@extend_schema(
    parameters=[OpenApiParameter(name, str, required=False) for name in SearchQuery().as_dict()],
    responses={200: PersonSummarySerializer(many=True), **api_errors(400, 403)},
)
@api_view(["GET"])
def people_search(request: Request) -> Response:
    params = SearchParams(data=request.query_params)
    params.is_valid(raise_exception=True)
    query = SearchQuery(**params.validated_data)
    if query.is_empty:
        return Response(
            {"detail": "Give a name, date_of_birth, nhs_number, upn or postcode."}, status=400
        )
    results = audited_search(request._request, query)
    return Response(PersonSummarySerializer(results, many=True).data)


@extend_schema(responses={200: ChildRecordSerializer, **api_errors(403, 404)})
@api_view(["GET"])
def person_record(request: Request, person_id: int) -> Response:
    person = get_person_for_user(request._request, person_id, details={"via": "api"})
    page = build_child_page(request.user, person)
    data: dict[str, Any] = {
        "person": person,
        "family": [m.person for m in page.family.members],
        "chronology_total": page.chronology.total,
        "counts_by_agency": {c["agency__name"]: c["n"] for c in page.chronology.counts_by_agency},
        "chronology": page.chronology.entries,
    }
    return Response(ChildRecordSerializer(data).data)


class AnalyseRequest(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=20000, trim_whitespace=False)
    expect_impact = serializers.BooleanField(required=False, default=False)
    expect_child_voice = serializers.BooleanField(required=False, default=False)


class FlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    category = serializers.CharField()
    phrase = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    prompt = serializers.CharField()


class AnalyseResponse(serializers.Serializer):
    flags = FlagSerializer(many=True)


@extend_schema(
    request=AnalyseRequest, responses={200: AnalyseResponse, **api_errors(400, 403, 415)}
)
@api_view(["POST"])
def recording_analyse(request: Request) -> Response:
    """Recording-quality advice on a piece of free text, as the practitioner types. It reads only
    the text sent, stores nothing and never blocks saving."""
    params = AnalyseRequest(data=request.data)
    params.is_valid(raise_exception=True)
    flags = analyse(
        params.validated_data["text"],
        expect_impact=params.validated_data["expect_impact"],
        expect_child_voice=params.validated_data["expect_child_voice"],
    )
    return Response({"flags": [f.as_dict() for f in flags]})


class DatasetParams(serializers.Serializer):
    quarter = serializers.CharField(required=False, default="", help_text="e.g. 2025Q1")
    agency = serializers.SlugField(required=False, default="", help_text="an agency code")
    publication = serializers.BooleanField(required=False, default=False)

    def validate_quarter(self, value: str) -> Quarter:
        if not value:
            return Quarter.last_complete(timezone.localdate())
        try:
            return Quarter.parse(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def validate_agency(self, value: str) -> Agency | None:
        if not value:
            return None
        agency = Agency.objects.filter(code=value).first()
        if agency is None:
            raise serializers.ValidationError(f"No agency with code {value!r}.")
        return agency


@extend_schema(
    parameters=[
        OpenApiParameter("quarter", str, required=False, description="e.g. 2025Q1"),
        OpenApiParameter("agency", str, required=False, description="an agency code"),
        OpenApiParameter("publication", bool, required=False),
    ],
    responses={200: OpenApiTypes.OBJECT, **api_errors(400, 403)},
)
@api_view(["GET"])
def dataset(request: Request) -> Response:
    """The partnership's neglect dataset for a quarter, as the JSON export gives it."""
    params = DatasetParams(data=request.query_params)
    params.is_valid(raise_exception=True)
    quarter, agency = params.validated_data["quarter"], params.validated_data["agency"]
    publication = params.validated_data["publication"]
    data = datasets.compute(quarter, agency=agency)
    record(
        action=AuditAction.EXPORT,
        by=request.user,
        request=request._request,
        object_type="dataset",
        object_id=quarter.code,
        details={"via": "api", "publication": publication, "agency": getattr(agency, "code", None)},
    )
    return Response(json.loads(exports.to_json(data, publication=publication)))
