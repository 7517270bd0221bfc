"""`hearth link train`: a model trained on the source records is stored as the next version,
made the only active one, and audited."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from hearth.audit.models import AuditAction, AuditEvent
from hearth.linkage.model import DEFAULT_LOWER, DEFAULT_UPPER, score
from hearth.linkage.models import Channel, LinkageModel, SourceRecord
from hearth.linkage.training import source_records, train_linkage_model
from tests.linkage_records import population

pytestmark = pytest.mark.django_db


def load_population(n_people: int = 200) -> None:
    records, _ = population(n_people=n_people)
    now = timezone.now()
    SourceRecord.objects.bulk_create(
        SourceRecord(
            source_system=r["source_system"],
            source_reference=str(r["unique_id"]),
            channel=Channel.IMPORT,
            received_at=now,
            given_name=r["given_name"],
            middle_names=r["middle_names"],
            family_name=r["family_name"],
            previous_family_names=r["previous_family_names"],
            date_of_birth=r["date_of_birth"],
            sex=r["sex"],
            postcode=r["postcode"],
            address=r["address"],
            nhs_number=r["nhs_number"],
        )
        for r in records
    )


def test_link_train_stores_an_active_audited_model_version() -> None:
    load_population()
    out = StringIO()
    call_command("link", "train", stdout=out)
    first = LinkageModel.objects.get()
    assert first.version == 1 and first.active
    assert first.records_trained_on == SourceRecord.objects.count()
    # The defaults validated at a partnership's scale (1,000,000 records; docs/linkage.md).
    assert (first.upper_threshold, first.lower_threshold) == (DEFAULT_UPPER, DEFAULT_LOWER)
    assert (DEFAULT_UPPER, DEFAULT_LOWER) == (0.992, 0.985)
    assert first.notes["records"] == first.records_trained_on
    assert "v1 trained on" in out.getvalue()
    event = AuditEvent.objects.get(action=AuditAction.TRAIN_LINKAGE)
    assert event.object_id == str(first.pk)
    assert event.details["version"] == 1

    second = train_linkage_model(by=None, upper=0.995, lower=0.4)
    first.refresh_from_db()
    assert second.version == 2 and second.active and not first.active
    assert second.splink_settings["thresholds"] == {"upper": 0.995, "lower": 0.4}
    assert AuditEvent.objects.filter(action=AuditAction.TRAIN_LINKAGE).count() == 2


def test_the_stored_model_scores_records_from_the_database() -> None:
    load_population(n_people=150)
    stored = train_linkage_model(by=None)
    rows = list(source_records())
    a = rows[0]
    pairs = score(stored.splink_settings, a, rows[1:40])
    assert pairs == sorted(pairs, key=lambda p: p.match_weight, reverse=True)
    assert all(p.left_id == a["unique_id"] for p in pairs)


def test_training_refuses_an_empty_index_and_bad_thresholds() -> None:
    with pytest.raises(CommandError, match="at least two"):
        call_command("link", "train")
    load_population(n_people=5)
    with pytest.raises(CommandError, match="thresholds"):
        call_command("link", "train", "--upper", "0.3", "--lower", "0.6")
    assert not LinkageModel.objects.exists()


def test_evaluate_synthetic_reports_accuracy_against_the_generators_truth() -> None:
    import json

    out = StringIO()
    call_command(
        "link", "evaluate", "--dataset", "synthetic", "--records", "1500", "--json", stdout=out
    )
    figures = json.loads(out.getvalue())
    assert figures["records"] == 1500
    assert figures["true_pairs"] > 0
    assert 0 < figures["precision"] <= 1 and 0 < figures["recall"] <= 1
    assert figures["counts"]["link"] + figures["counts"].get("review", 0) <= figures["pairs_scored"]
    assert figures["review_share"] == figures["counts"].get("review", 0) / 1500


def test_training_on_records_without_duplicates_still_gives_a_usable_model() -> None:
    """A partnership's first load (or the demo) may hold no duplicates yet: the prior is floored
    at one pair and training completes, rather than failing on log(0)."""
    records, _ = population(n_people=300)
    seen: set[tuple[str, str]] = set()
    now = timezone.now()
    unique = []
    for r in records:
        key = (r["given_name"], r["family_name"])
        if key not in seen:
            seen.add(key)
            unique.append(r)
    SourceRecord.objects.bulk_create(
        SourceRecord(
            source_system="only",
            source_reference=str(r["unique_id"]),
            channel=Channel.IMPORT,
            received_at=now,
            given_name=r["given_name"],
            family_name=r["family_name"],
            date_of_birth=r["date_of_birth"],
            postcode=r["postcode"],
        )
        for r in unique
    )
    stored = train_linkage_model(by=None)
    assert 0 < stored.notes["probability_two_random_records_match"] < 1
    out = StringIO()
    call_command("link", "train", "--if-none", stdout=out)
    assert "already active" in out.getvalue()
    assert LinkageModel.objects.count() == 1


def test_link_train_shows_the_data_officer_no_splink_developer_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A small index leaves levels unobserved, and Splink warns about each ("unable to train m
    value"): noise to the person running the command, who is told the outcome instead."""
    import logging

    load_population(n_people=60)
    with caplog.at_level(logging.DEBUG, logger="splink"):
        out = StringIO()
        call_command("link", "train", stdout=out)
    assert "trained on" in out.getvalue()
    warned = [r for r in caplog.records if r.name.startswith("splink") and r.levelno >= 30]
    assert not warned, [r.getMessage() for r in warned[:3]]
