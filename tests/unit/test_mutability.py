"""Every model is declared mutable or immutable, so a new model forces the decision.

Immutable rows (the audit trail, chronology entries and their versions and subjects) refuse every
way of being changed or deleted: `save()` after creation, `delete()`, and the bulk `QuerySet`
methods. Only a chronology action may change an entry's current content, inside `allow_changes()`,
and it writes a new `EntryVersion` as it does.
"""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from hearth.actionplans import actions as actionplan_actions
from hearth.actionplans.models import ActionUpdate, EvidenceLink, ImpactEvidence, SignOff
from hearth.alerts import actions as alert_actions
from hearth.alerts.models import Alert, AlertResponse, Rule, RuleVersion
from hearth.audit.actions import record
from hearth.audit.models import AuditAction, AuditEvent
from hearth.chronology.models import ChronologyEntry, EntrySubject, EntryVersion
from hearth.episodes.models import Episode
from hearth.interop.models import ImportChildOutcome, ImportProblem, ImportRun
from hearth.lib.immutable import (
    ImmutableModel,
    ImmutableQuerySet,
    ImmutableRecordError,
    allow_changes,
)
from hearth.linkage.models import LinkEvent, NonMatch, SourceRecord
from hearth.plans import actions as plan_actions
from hearth.plans.models import PlanReview
from hearth.toolkit.models import ResponseVersion, ToolResponse, ToolVersion
from tests.factories.actionplans import agency_lead, make_action, make_objective, make_plan
from tests.factories.actionplans import update as plan_update
from tests.factories.chronology import make_entry
from tests.factories.toolkit import completed_sdq

MUTABLE = "mutable"
IMMUTABLE = "immutable"

MODELS = {
    "actionplans.ActionPlan": MUTABLE,  # its title; objectives and actions are added to it
    "actionplans.ActionUpdate": IMMUTABLE,  # as reported; a correction supersedes it
    "actionplans.AgencyAction": MUTABLE,  # its status follows the current updates
    "actionplans.EvidenceLink": IMMUTABLE,
    "actionplans.ImpactEvidence": IMMUTABLE,  # what scrutiny relied on
    "actionplans.PlanObjective": MUTABLE,
    "actionplans.SignOff": IMMUTABLE,  # who signed off which updates, and when
    "access.BreakGlassGrant": MUTABLE,  # its review status moves through a state machine
    "access.Involvement": MUTABLE,  # ends when the agency closes the case
    "accounts.User": MUTABLE,
    "agencies.Agency": MUTABLE,
    "api.ApiCredential": MUTABLE,  # revoked and last used; the secret's hash never changes
    "api.IdempotencyRecord": MUTABLE,  # a cache of answers, never evidence
    "alerts.Alert": MUTABLE,  # its status moves as professionals respond; responses are kept
    "alerts.AlertResponse": IMMUTABLE,
    "alerts.PendingEvaluation": MUTABLE,  # a work queue: rows are deleted once evaluated
    "alerts.Rule": MUTABLE,  # name and active flag
    "alerts.RuleVersion": IMMUTABLE,  # a published version never changes
    "agencies.Team": MUTABLE,
    "audit.AuditEvent": IMMUTABLE,
    "chronology.ChronologyEntry": IMMUTABLE,  # changed only by the chronology actions, with a new version
    "chronology.EntrySubject": IMMUTABLE,
    "chronology.EntryVersion": IMMUTABLE,
    "chronology.EventType": MUTABLE,  # the configurable taxonomy
    "episodes.Episode": MUTABLE,  # ends, and changes category at review
    # An import's run moves through its states; what it found and did is never rewritten.
    "interop.ImportRun": MUTABLE,
    "interop.ColumnMapping": MUTABLE,
    "interop.ImportProblem": IMMUTABLE,
    "interop.ImportChildOutcome": IMMUTABLE,
    # Published figures, replaced whole when the files are reloaded; the partnership's settings.
    # The master person index: a source record is replaced (with its history) when re-sent; a
    # review is decided; a merge can be undone. How a record was linked, and a "different
    # people" decision, are history.
    "linkage.SourceRecord": MUTABLE,
    "linkage.LinkageModel": MUTABLE,  # only which version is active changes
    "linkage.ReviewItem": MUTABLE,
    "linkage.Merge": MUTABLE,
    "linkage.LinkEvent": IMMUTABLE,
    "linkage.NonMatch": IMMUTABLE,
    "partnership.ReferenceValue": MUTABLE,
    "partnership.ReportingSettings": MUTABLE,
    "partnership.StatisticalNeighbour": MUTABLE,
    "people.Address": MUTABLE,
    "people.Person": MUTABLE,  # corrected as agencies learn more
    "people.PersonIdentifier": MUTABLE,
    "people.PersonName": MUTABLE,
    "people.Relationship": MUTABLE,
    "people.Residence": MUTABLE,
    "plans.PlanAction": MUTABLE,  # its status and progress move on; every change is audited
    "plans.PlanReview": IMMUTABLE,  # recorded once, as decided
    "toolkit.ResponseSubject": MUTABLE,  # siblings covered can change while a draft
    "toolkit.ResponseVersion": IMMUTABLE,
    "toolkit.Tool": MUTABLE,  # name and position follow the latest version
    "toolkit.ToolResponse": IMMUTABLE,  # changed only by the toolkit actions, with a new version
    "toolkit.ToolVersion": IMMUTABLE,  # a published version never changes
    "workforce.Attendance": MUTABLE,  # corrected when a register was misread
    "workforce.TrainingSession": MUTABLE,
    "workforce.TrainingTarget": MUTABLE,  # revised by the partnership; the audit keeps the old
}
IMMUTABLE_MODELS = sorted(label for label, kind in MODELS.items() if kind == IMMUTABLE)


def hearth_models() -> list[type[models.Model]]:
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("hearth.")
        for model in config.get_models()
        if not model._meta.abstract and not model._meta.proxy
    ]


def test_every_model_is_declared_mutable_or_immutable():
    labels = {model._meta.label for model in hearth_models()}
    undeclared = labels - set(MODELS)
    assert not undeclared, (
        f"Declare these models mutable or immutable in {__file__}: {sorted(undeclared)}"
    )


def test_no_declared_model_has_disappeared():
    labels = {model._meta.label for model in hearth_models()}
    assert set(MODELS) - labels == set()


def test_a_model_is_immutable_exactly_when_it_is_declared_so():
    for model in hearth_models():
        expected = MODELS[model._meta.label] == IMMUTABLE
        assert issubclass(model, ImmutableModel) == expected, model._meta.label
        assert isinstance(model._default_manager.all(), ImmutableQuerySet) == expected, (
            model._meta.label
        )


def test_immutable_rows_never_cascade_or_get_nulled_by_a_deletion_elsewhere():
    """Deletion cascades and SET_NULL bypass the model and its queryset, so they must never reach these rows."""
    for label in IMMUTABLE_MODELS:
        model = apps.get_model(label)
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey):
                assert field.remote_field.on_delete in (models.PROTECT, models.RESTRICT), (
                    f"{label}.{field.name}"
                )


# --- Every way of changing an immutable row is refused -------------------------------------------


def an_audit_event(world: Any) -> AuditEvent:
    return record(
        action=AuditAction.VIEW_PERSON, by=world.alice, person_id=world.amy.pk, object_type="person"
    )


def a_chronology_entry(world: Any) -> ChronologyEntry:
    return make_entry(by=world.alice, subjects=[world.amy])


def an_entry_subject(world: Any) -> EntrySubject:
    return a_chronology_entry(world).subject_links.get()


def an_entry_version(world: Any) -> EntryVersion:
    return a_chronology_entry(world).versions.get()


def a_tool_response(world: Any) -> ToolResponse:
    return completed_sdq(world.alice, world.amy)


def a_response_version(world: Any) -> ResponseVersion:
    return a_tool_response(world).versions.get()


def a_tool_version(world: Any) -> ToolVersion:
    return ToolVersion.objects.get(tool__code="sdq", version=1)


def a_plan_review(world: Any) -> PlanReview:
    plan = Episode.objects.create(
        kind="cin_plan",
        child=world.amy,
        lead_agency=world.csc,
        start_date=datetime.date(2025, 1, 1),
    )
    return plan_actions.record_review(
        by=world.alice, plan=plan, review_date=datetime.date(2025, 2, 1)
    )


def an_alert_response(world: Any) -> AlertResponse:
    alert = Alert.objects.create(
        rule=Rule.objects.get(code="plan-drift"),
        rule_version=RuleVersion.objects.get(rule__code="plan-drift", version=1),
        child=world.amy,
        fired_on=datetime.date(2025, 1, 1),
        raised_at=timezone.now(),
        summary="Open too long",
    )
    return alert_actions.respond(by=world.alice, alert=alert, kind="acknowledged", note="Seen.")


def a_rule_version(world: Any) -> RuleVersion:
    return RuleVersion.objects.get(rule__code="plan-drift", version=1)


def an_action_update(world: Any) -> ActionUpdate:
    lead = agency_lead(world.csc)
    action = make_action(lead, make_objective(lead, make_plan(lead, world.csc)))
    return plan_update(lead, action, "2025Q2", "amber")


def a_sign_off(world: Any) -> SignOff:
    update = an_action_update(world)
    lead = agency_lead(world.csc)
    return actionplan_actions.sign_off(
        by=lead, plan=update.action.objective.plan, quarter=update.quarter
    )


def an_impact_evidence(world: Any) -> ImpactEvidence:
    return actionplan_actions.record_evidence(
        by=world.nina,
        strategic_objective="evaluate",
        source="audits",
        quarter="2025Q2",
        summary="Audit of 20 cases",
        updates=[an_action_update(world)],
    )


def an_evidence_link(world: Any) -> EvidenceLink:
    return an_impact_evidence(world).links.get()


def an_import_run(world: Any) -> ImportRun:
    return ImportRun.objects.create(
        kind="cin_census",
        file_name="cin.xml",
        sha256="0" * 64,
        size_bytes=1,
        via="command",
        status="loaded",
        by_username="someone",
        created_at=timezone.now(),
    )


def an_import_problem(world: Any) -> ImportProblem:
    return ImportProblem.objects.create(
        run=an_import_run(world), child="ID001", path="/", rule="X", message="m"
    )


def an_import_outcome(world: Any) -> ImportChildOutcome:
    return ImportChildOutcome.objects.create(
        run=an_import_run(world), la_child_id="ID001", outcome="created"
    )


def _source_record(person: Any, ref: str) -> SourceRecord:
    return SourceRecord.objects.create(
        source_system="test",
        source_reference=ref,
        channel="import",
        received_at=timezone.now(),
        person=person,
    )


def a_link_event(world: Any) -> LinkEvent:
    record = _source_record(world.amy, "a")
    return LinkEvent.objects.create(
        record=record, person=world.amy, method="new_person", at=timezone.now()
    )


def a_non_match(world: Any) -> NonMatch:
    low, high = _source_record(world.amy, "b"), _source_record(world.ben, "c")
    return NonMatch.objects.create(record_low=low, record_high=high, at=timezone.now())


MAKERS: dict[str, Callable[[Any], models.Model]] = {
    "actionplans.ActionUpdate": an_action_update,
    "actionplans.EvidenceLink": an_evidence_link,
    "actionplans.ImpactEvidence": an_impact_evidence,
    "actionplans.SignOff": a_sign_off,
    "audit.AuditEvent": an_audit_event,
    "chronology.ChronologyEntry": a_chronology_entry,
    "chronology.EntrySubject": an_entry_subject,
    "chronology.EntryVersion": an_entry_version,
    "alerts.AlertResponse": an_alert_response,
    "alerts.RuleVersion": a_rule_version,
    "plans.PlanReview": a_plan_review,
    "interop.ImportProblem": an_import_problem,
    "linkage.LinkEvent": a_link_event,
    "linkage.NonMatch": a_non_match,
    "interop.ImportChildOutcome": an_import_outcome,
    "toolkit.ResponseVersion": a_response_version,
    "toolkit.ToolResponse": a_tool_response,
    "toolkit.ToolVersion": a_tool_version,
}

# A field of each model to try to change, and a value to try to change it to.
CHANGES: dict[str, tuple[str, Any]] = {
    "actionplans.ActionUpdate": ("rag", "green"),
    "actionplans.EvidenceLink": ("update_id", None),
    "actionplans.ImpactEvidence": ("summary", "quietly edited"),
    "actionplans.SignOff": ("signed_by_name", "someone else"),
    "audit.AuditEvent": ("reason", "quietly edited"),
    "chronology.ChronologyEntry": ("description", "quietly edited"),
    "chronology.EntrySubject": ("event_date", "2001-01-01"),
    "chronology.EntryVersion": ("description", "quietly edited"),
    "alerts.AlertResponse": ("note", "quietly edited"),
    "alerts.RuleVersion": ("params", {"cin_days": 9999}),
    "plans.PlanReview": ("notes", "quietly edited"),
    "interop.ImportProblem": ("message", "quietly edited"),
    "linkage.LinkEvent": ("reason", "quietly edited"),
    "linkage.NonMatch": ("reason", "quietly edited"),
    "interop.ImportChildOutcome": ("outcome", "unchanged"),
    "toolkit.ResponseVersion": ("reason", "quietly edited"),
    "toolkit.ToolResponse": ("answers", {"quietly": "edited"}),
    "toolkit.ToolVersion": ("checksum", "quietly edited"),
}


def refused(operation: Callable[[], Any]) -> None:
    """Assert the operation is refused; its own savepoint keeps the test's transaction usable."""
    with pytest.raises(ImmutableRecordError), transaction.atomic():
        operation()


def test_every_immutable_model_is_exercised_below():
    assert sorted(MAKERS) == sorted(CHANGES) == IMMUTABLE_MODELS


@pytest.fixture(params=IMMUTABLE_MODELS)
def row(request: Any, world: Any) -> models.Model:
    return MAKERS[request.param](world)


def snapshot(instance: models.Model) -> dict[str, Any]:
    return type(instance)._default_manager.filter(pk=instance.pk).values().get()


def field_and_value(instance: models.Model) -> tuple[str, Any]:
    return CHANGES[instance._meta.label]


def test_save_after_creation_is_refused(row):
    before = snapshot(row)
    field, value = field_and_value(row)
    setattr(row, field, value)
    with pytest.raises(ImmutableRecordError):
        row.save()
    assert snapshot(row) == before


def test_save_of_a_freshly_loaded_row_is_refused(row):
    fresh = type(row)._default_manager.get(pk=row.pk)
    with pytest.raises(ImmutableRecordError):
        fresh.save()


def test_delete_is_refused(row):
    with pytest.raises(ImmutableRecordError):
        row.delete()
    assert type(row)._default_manager.filter(pk=row.pk).exists()


def test_delete_is_refused_even_inside_allow_changes(row):
    with allow_changes(), pytest.raises(ImmutableRecordError):
        row.delete()
    with allow_changes(), pytest.raises(ImmutableRecordError):
        type(row)._default_manager.filter(pk=row.pk).delete()
    assert type(row)._default_manager.filter(pk=row.pk).exists()


def test_queryset_update_is_refused(row):
    before = snapshot(row)
    field, value = field_and_value(row)
    with pytest.raises(ImmutableRecordError):
        type(row)._default_manager.filter(pk=row.pk).update(**{field: value})
    assert snapshot(row) == before


def test_queryset_delete_is_refused(row):
    with pytest.raises(ImmutableRecordError):
        type(row)._default_manager.filter(pk=row.pk).delete()
    with pytest.raises(ImmutableRecordError):
        type(row)._default_manager.all().delete()
    assert type(row)._default_manager.filter(pk=row.pk).exists()


def test_bulk_update_is_refused(row):
    before = snapshot(row)
    field, value = field_and_value(row)
    setattr(row, field, value)
    refused(lambda: type(row)._default_manager.bulk_update([row], [field]))
    assert snapshot(row) == before


def test_update_or_create_cannot_change_an_existing_row(row):
    field, value = field_and_value(row)
    refused(lambda: type(row)._default_manager.update_or_create(pk=row.pk, defaults={field: value}))


def test_removing_an_entrys_subjects_is_refused(world):
    entry = a_chronology_entry(world)
    refused(lambda: entry.subjects.remove(world.amy))
    refused(lambda: entry.subjects.clear())
    refused(lambda: entry.subject_links.all().delete())
    assert list(entry.subjects.all()) == [world.amy]


def test_unlinking_an_update_from_evidence_is_refused(world):
    evidence = an_impact_evidence(world)
    refused(lambda: evidence.updates.clear())
    refused(lambda: evidence.links.all().delete())
    assert evidence.updates.count() == 1


def test_an_entry_changes_only_inside_allow_changes_as_the_actions_do(world):
    entry = a_chronology_entry(world)
    with allow_changes():
        entry.description = "Corrected by the chronology action"
        entry.save()
    entry.refresh_from_db()
    assert entry.description == "Corrected by the chronology action"
    # The opening does not outlast the block.
    entry.description = "Edited afterwards"
    with pytest.raises(ImmutableRecordError):
        entry.save()


def test_creating_rows_is_allowed(world):
    entry = a_chronology_entry(world)
    assert entry.pk is not None
    assert EntrySubject.objects.filter(entry=entry).count() == 1
    assert EntryVersion.objects.filter(entry=entry).count() == 1


def test_an_upsert_cannot_overwrite_an_existing_row(row):
    before = snapshot(row)
    field, value = field_and_value(row)
    setattr(row, field, value)
    refused(
        lambda: type(row)._default_manager.bulk_create(
            [row], update_conflicts=True, unique_fields=["pk"], update_fields=[field]
        )
    )
    assert snapshot(row) == before
