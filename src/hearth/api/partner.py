"""The API for partner systems: is a child known to us, the child's chronology, and writing
chronology entries and involvements — under the same need-to-know rules and audit as the screens.

Every endpoint takes an API credential with the right scope; writes take an `Idempotency-Key`.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.request import Request
from rest_framework.response import Response

from hearth.access import actions as access_actions
from hearth.access.helpers import get_person_for_user
from hearth.access.models import Involvement
from hearth.access.permissions import Permission
from hearth.access.scoping import relationship_basis
from hearth.api.authentication import (
    ApiKeyAuthentication,
    CredentialRateThrottle,
    HasScope,
    credential_of,
)
from hearth.api.fields import LARGEST_ID, CodeOf, Text, Whole
from hearth.api.idempotency import idempotent
from hearth.api.models import ApiCredential, Scope
from hearth.api.schema import api_errors
from hearth.api.serializers import ChronologyEntrySerializer
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.chronology.actions import record_from_source
from hearth.chronology.models import DateAccuracy, EventType, SharingLevel
from hearth.lib.identifiers import is_valid_nhs_number, is_valid_postcode, is_valid_upn
from hearth.linkage.index import Incoming, receive
from hearth.linkage.models import Channel, SourceRecord
from hearth.people.child_page import build_child_page
from hearth.people.models import Person, Sex

PARTNER = [HasScope]
TOKEN = [ApiKeyAuthentication]
THROTTLE = [CredentialRateThrottle]


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^[^\s\x00]+$"},
    OpenApiParameter.HEADER,
    required=True,
    description="A key unique to this write; send the same key to retry it safely",
)


def _scoped(scope: str) -> Any:
    """Mark a function view with the scope `HasScope` checks."""

    def wrap(view: Any) -> Any:
        view.cls.required_scope = scope
        return view

    return wrap


def _credential(request: Request) -> ApiCredential:
    credential = credential_of(request)
    if credential is None:  # HasScope lets no request in without one
        raise PermissionDenied("Partner endpoints take an API credential.")
    return credential


def _source_system(request: Request) -> str:
    agency = _credential(request).agency
    return agency.source_system or f"api:{agency.code}"


def _fieldapi_errors(exc: ValidationError) -> dict[str, Any]:
    if hasattr(exc, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages]
            for field, errors in exc.error_dict.items()
        }
    return {"non_field_errors": exc.messages}


class QueryParams(serializers.Serializer):
    """Query parameters a partner system may send; any other name is refused with a 400 naming it,
    so a misspelt parameter (`nhs_numer=`) is never silently ignored. A number or a date sent
    empty (`offset=`) is refused too, as the schema says, rather than read as left out."""

    def to_internal_value(self, data: Any) -> Any:
        problems = {
            name or "(no name)": ["Not a parameter of this endpoint."]
            for name in sorted(set(data.keys()) - set(self.fields))
        }
        problems.update(
            {
                name: ["Give a value, or leave the parameter out."]
                for name, field in self.fields.items()
                if name in data
                and data.get(name) == ""
                and not isinstance(field, serializers.CharField)
            }
        )
        if problems:
            raise serializers.ValidationError(problems)
        return super().to_internal_value(data)


# ---- is this child known to us? ----------------------------------------------------------------
class LookupParams(QueryParams):
    nhs_number = serializers.CharField(required=False, default="", max_length=12)
    upn = serializers.CharField(required=False, default="", max_length=13)
    date_of_birth = serializers.DateField(required=False, default=None)

    def validate_nhs_number(self, value: str) -> str:
        value = value.replace(" ", "")
        if value and not is_valid_nhs_number(value):
            raise serializers.ValidationError("Not a valid NHS number (10 digits, check digit).")
        return value

    def validate_upn(self, value: str) -> str:
        value = value.strip().upper()
        if value and not is_valid_upn(value):
            raise serializers.ValidationError("Not a valid UPN (13 characters, check letter).")
        return value

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not data["nhs_number"] and not data["upn"]:
            raise serializers.ValidationError({"nhs_number": "Give an NHS number or a UPN."})
        return data


LookupAnswer = inline_serializer(
    "ChildLookup",
    {
        "legitimate_relationship": serializers.BooleanField(),
        "person_id": serializers.IntegerField(allow_null=True),
        "basis": serializers.CharField(allow_null=True),
        "lead_professional": inline_serializer(
            "LeadProfessional",
            {
                "agency": serializers.CharField(),
                "name": serializers.CharField(allow_null=True),
                "role": serializers.CharField(),
                "phone": serializers.CharField(),
                "email": serializers.CharField(),
            },
            allow_null=True,
        ),
        "detail": serializers.CharField(),
    },
)


@extend_schema(
    parameters=[LookupParams], responses={200: LookupAnswer, **api_errors(400, 401, 403, 429)}
)
@api_view(["GET"])
@authentication_classes(TOKEN)
@permission_classes(PARTNER)
@throttle_classes(THROTTLE)
def lookup(request: Request) -> Response:
    """Whether the caller's agency has a legitimate relationship with the child, and who leads.

    Without a relationship the answer does not say whether the child exists: that is itself
    information about a child, shared only on a need to know."""
    params = LookupParams(data=request.query_params)
    params.is_valid(raise_exception=True)
    data = params.validated_data
    match = Q()
    if data["nhs_number"]:
        match |= Q(nhs_number=data["nhs_number"])
    if data["upn"]:
        match |= Q(upn=data["upn"])
    people = Person.objects.filter(match)
    if data["date_of_birth"]:
        people = people.filter(date_of_birth=data["date_of_birth"])
    found = [(p, relationship_basis(request.user, p)) for p in people[:5]]
    visible = [(p, basis) for p, basis in found if basis]
    record(
        action=AuditAction.SEARCH,
        by=request.user,
        request=request._request,
        object_type="api_lookup",
        details={"via": "api", "shown": [p.pk for p, _ in visible]},
    )
    if not visible:
        return Response(
            {
                "legitimate_relationship": False,
                "person_id": None,
                "basis": None,
                "lead_professional": None,
                "detail": "Your agency has no legitimate relationship with a child with these "
                "details. If you need to know, contact the front door (MASH).",
            }
        )
    person, basis = visible[0]
    lead = (
        Involvement.objects.filter(person=person, is_lead=True, end_date__isnull=True)
        .select_related("agency", "practitioner")
        .first()
    )
    return Response(
        {
            "legitimate_relationship": True,
            "person_id": person.pk,
            "basis": basis,
            "lead_professional": {
                "agency": lead.agency.name,
                "name": lead.practitioner.display_name if lead.practitioner else None,
                "role": lead.role_description,
                "phone": (lead.practitioner.phone if lead.practitioner else "")
                or lead.agency.phone,
                "email": (lead.practitioner.email if lead.practitioner else "")
                or lead.agency.email,
            }
            if lead
            else None,
            "detail": "Known to your agency."
            if lead
            else "Known to your agency; no lead professional is recorded.",
        }
    )


lookup = _scoped(Scope.LOOKUP)(lookup)


# ---- a child's chronology -----------------------------------------------------------------------
ChronologyPage = inline_serializer(
    "PartnerChronology",
    {
        "person_id": serializers.IntegerField(),
        "total": serializers.IntegerField(),
        "offset": serializers.IntegerField(),
        "entries": ChronologyEntrySerializer(many=True),
    },
)


class PageParams(QueryParams):
    offset = serializers.IntegerField(required=False, default=0, min_value=0, max_value=1_000_000)


@extend_schema(
    parameters=[PageParams], responses={200: ChronologyPage, **api_errors(400, 401, 403, 404, 429)}
)
@api_view(["GET"])
@authentication_classes(TOKEN)
@permission_classes(PARTNER)
@throttle_classes(THROTTLE)
def chronology(request: Request, person_id: int) -> Response:
    """The child's merged chronology (the child, siblings and the adults they live with), newest
    first, 100 at a time, exactly as the agency's practitioners see it on the child's page."""
    params = PageParams(data=request.query_params)
    params.is_valid(raise_exception=True)
    person = get_person_for_user(request._request, person_id, details={"via": "api"})
    page = build_child_page(request.user, person, offset=params.validated_data["offset"])
    return Response(
        {
            "person_id": person.pk,
            "total": page.chronology.total,
            "offset": params.validated_data["offset"],
            "entries": ChronologyEntrySerializer(page.chronology.entries, many=True).data,
        }
    )


chronology = _scoped(Scope.CHRONOLOGY_READ)(chronology)


# ---- writing entries ----------------------------------------------------------------------------
class EntryIn(serializers.Serializer):
    source_reference = Text(max_length=100)
    subjects = serializers.ListField(
        child=Whole(min_value=1, max_value=LARGEST_ID), min_length=1, max_length=20
    )
    event_type = CodeOf(slug_field="code", queryset=EventType.objects.all())
    event_date = serializers.DateField()
    date_accuracy = serializers.ChoiceField(choices=DateAccuracy.choices, default=DateAccuracy.DAY)
    description = Text(max_length=20_000)
    impact_on_child = Text(max_length=20_000, required=False, default="", allow_blank=True)
    sharing_level = serializers.ChoiceField(
        choices=SharingLevel.choices, default=SharingLevel.PARTNERSHIP
    )


EntryOut = inline_serializer(
    "PartnerEntryResult",
    {"outcome": serializers.CharField(), "entry": ChronologyEntrySerializer()},
)


@extend_schema(
    request=EntryIn,
    parameters=[IDEMPOTENCY_KEY],
    responses={200: EntryOut, 201: EntryOut, **api_errors(400, 401, 403, 404, 409, 415, 422, 429)},
)
@api_view(["POST"])
@authentication_classes(TOKEN)
@permission_classes(PARTNER)
@throttle_classes(THROTTLE)
def post_entry(request: Request) -> Response:
    """Record an entry from the partner system. The same `source_reference` again changes nothing
    if the record is the same, and amends the entry (keeping its history) if it has changed."""

    def write() -> Response:
        body = EntryIn(data=request.data)
        if not body.is_valid():
            return Response(body.errors, status=400)
        data = dict(body.validated_data)
        subjects = [
            get_person_for_user(
                request._request, pid, permission=Permission.RECORD_CHRONOLOGY, audit_action=None
            )
            for pid in data.pop("subjects")
        ]
        try:
            result = record_from_source(
                by=request.user,
                source_system=_source_system(request),
                source_reference=data.pop("source_reference"),
                subjects=subjects,
                request=request._request,
                **data,
            )
        except ValidationError as exc:
            return Response(_fieldapi_errors(exc), status=400)
        except PermissionDenied as exc:
            return Response({"source_reference": [str(exc)]}, status=409)
        status = 201 if result.outcome == "created" else 200
        return Response(
            {"outcome": result.outcome, "entry": ChronologyEntrySerializer(result.entry).data},
            status=status,
        )

    return idempotent(request, write)


post_entry = _scoped(Scope.CHRONOLOGY_WRITE)(post_entry)


# ---- recording an involvement ---------------------------------------------------------------------
class InvolvementIn(serializers.Serializer):
    source_reference = Text(max_length=100)
    nhs_number = Text(required=False, default="", max_length=12)
    upn = Text(required=False, default="", max_length=13)
    date_of_birth = serializers.DateField()
    role_description = Text(max_length=200)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not data["nhs_number"] and not data["upn"]:
            raise serializers.ValidationError({"nhs_number": "Give the child's NHS number or UPN."})
        if data["end_date"] and data["end_date"] < data["start_date"]:
            raise serializers.ValidationError(
                {"end_date": "The involvement ends before it starts."}
            )
        return data


InvolvementOut = inline_serializer(
    "PartnerInvolvementResult",
    {
        "outcome": serializers.CharField(),
        "involvement_id": serializers.IntegerField(),
        "person_id": serializers.IntegerField(),
    },
)


@extend_schema(
    request=InvolvementIn,
    parameters=[IDEMPOTENCY_KEY],
    responses={
        200: InvolvementOut,
        201: InvolvementOut,
        **api_errors(400, 401, 403, 404, 409, 415, 422, 429),
    },
)
@api_view(["POST"])
@authentication_classes(TOKEN)
@permission_classes(PARTNER)
@throttle_classes(THROTTLE)
def post_involvement(request: Request) -> Response:
    """Record that the agency works with a child, identified by NHS number or UPN *and* date of
    birth (holding both is the agency's evidence of its relationship). No match, or a wrong date
    of birth, is the same 404, so the endpoint cannot be used to find out who exists."""

    def write() -> Response:
        body = InvolvementIn(data=request.data)
        if not body.is_valid():
            return Response(body.errors, status=400)
        data = body.validated_data
        match = Q(nhs_number=data["nhs_number"].replace(" ", "")) if data["nhs_number"] else Q()
        if data["upn"]:
            match |= Q(upn=data["upn"].strip().upper())
        person = Person.objects.filter(match, date_of_birth=data["date_of_birth"]).first()
        if person is None:
            return Response({"detail": "No child with these details."}, status=404)
        source = _source_system(request)
        existing = Involvement.objects.filter(
            source_system=source, source_reference=data["source_reference"]
        ).first()
        if existing is not None:
            if existing.person_id != person.pk:
                return Response(
                    {
                        "source_reference": [
                            "This reference already belongs to another child's involvement."
                        ]
                    },
                    status=409,
                )
            outcome = "unchanged"
            if (existing.end_date, existing.role_description) != (
                data["end_date"],
                data["role_description"],
            ):
                existing = access_actions.update_involvement(
                    by=request.user,
                    involvement=existing,
                    end_date=data["end_date"],
                    role_description=data["role_description"],
                )
                outcome = "updated"
            return Response(
                {"outcome": outcome, "involvement_id": existing.pk, "person_id": person.pk}
            )
        involvement = access_actions.record_involvement(
            by=request.user,
            person=person,
            agency=_credential(request).agency,
            start_date=data["start_date"],
            end_date=data["end_date"],
            role_description=data["role_description"],
            source_system=source,
            source_reference=data["source_reference"],
        )
        return Response(
            {"outcome": "created", "involvement_id": involvement.pk, "person_id": person.pk},
            status=201,
        )

    return idempotent(request, write)


post_involvement = _scoped(Scope.INVOLVEMENTS_WRITE)(post_involvement)


# ---- person records, into the master person index -----------------------------------------------
class PersonRecordIn(serializers.Serializer):
    source_reference = Text(
        max_length=100, help_text="The person's ID in your system: never reused"
    )
    given_name = Text(max_length=100)
    middle_names = Text(max_length=200, required=False, default="", allow_blank=True)
    family_name = Text(max_length=100)
    previous_family_names = serializers.ListField(
        child=Text(max_length=100), required=False, default=list, max_length=10
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, default="U")
    postcode = Text(max_length=10, required=False, default="", allow_blank=True)
    address = Text(max_length=300, required=False, default="", allow_blank=True)
    nhs_number = Text(max_length=12, required=False, default="", allow_blank=True)
    upn = Text(max_length=13, required=False, default="", allow_blank=True)

    def validate_nhs_number(self, value: str) -> str:
        if value and not is_valid_nhs_number(value):
            raise serializers.ValidationError("Not a valid NHS number (the check digit fails).")
        return value

    def validate_upn(self, value: str) -> str:
        if value and not is_valid_upn(value.strip().upper()):
            raise serializers.ValidationError("Not a valid UPN (the check letter fails).")
        return value

    def validate_postcode(self, value: str) -> str:
        if value and not is_valid_postcode(value):
            raise serializers.ValidationError("Not a UK postcode.")
        return value


PersonRecordOut = inline_serializer(
    "PartnerPersonRecordResult",
    {"outcome": serializers.CharField(), "source_reference": serializers.CharField()},
)


@extend_schema(
    request=PersonRecordIn,
    parameters=[IDEMPOTENCY_KEY],
    responses={
        200: PersonRecordOut,
        201: PersonRecordOut,
        **api_errors(400, 401, 403, 409, 415, 422, 429),
    },
)
@api_view(["POST"])
@authentication_classes(TOKEN)
@permission_classes(PARTNER)
@throttle_classes(THROTTLE)
def post_person_record(request: Request) -> Response:
    """Send your system's record of a person. Hearth keeps it as received and matches it against
    its master person index as it arrives (linked, queued for a data-quality reviewer, or a new
    person). The answer says only whether the record was new, changed or unchanged: whether
    Hearth already knew the person is shared on a need to know (use the lookup)."""

    def write() -> Response:
        body = PersonRecordIn(data=request.data)
        if not body.is_valid():
            return Response(body.errors, status=400)
        data = dict(body.validated_data)
        reference = data["source_reference"]
        incoming = Incoming(
            source_system=_source_system(request),
            channel=Channel.API,
            raw={k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()},
            **data,
        )
        known = SourceRecord.objects.filter(
            source_system=incoming.source_system, source_reference=reference
        ).first()
        before = known.history if known is not None else None
        result = receive(incoming, by=request.user)
        if known is None:
            outcome, status = "created", 201
        else:
            result.record.refresh_from_db()
            outcome = "updated" if result.record.history != before else "unchanged"
            status = 200
        record(
            action=AuditAction.IMPORT,
            by=request.user,
            request=request._request,
            person_id=result.person.pk,
            object_type="source_record",
            object_id=result.record.pk,
            details={"via": "api", "outcome": outcome, "linkage": result.outcome},
        )
        return Response({"outcome": outcome, "source_reference": reference}, status=status)

    return idempotent(request, write)


post_person_record = _scoped(Scope.PEOPLE_WRITE)(post_person_record)
