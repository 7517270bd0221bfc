"""Importing a CIN census return: what loads, what is refused, and that nothing is ever half
loaded or duplicated. Every file here is synthetic (tests/census_files.py)."""

import csv
import datetime
import hashlib
import io
import json
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hearth.agencies.models import AgencyType
from hearth.audit.models import AuditAction, AuditEvent
from hearth.episodes.models import Episode, EpisodeKind
from hearth.interop import census
from hearth.interop.models import ChildOutcome, ImportChildOutcome, ImportRun, RunStatus
from hearth.interop.synthetic import write_synthetic_census
from hearth.people.models import DatePrecision, Person, PersonIdentifier
from tests.census_files import OTHER_UPN, VALID_UPN, child, write
from tests.factories.agencies import AgencyFactory
from tests.factories.people import PersonFactory

pytestmark = pytest.mark.django_db

ID002 = child(
    (VALID_UPN, OTHER_UPN),
    ("<Sex>F</Sex>", "<Sex>M</Sex>"),
    ("<CINreferralDate>2024-05-01", "<CINreferralDate>2024-04-20"),
    la_child_id="ID002",
)


def run_import(path: Path, *args: str) -> tuple[dict[str, Any], bool]:
    """The command's --json summary, and whether it exited non-zero."""
    out = io.StringIO()
    try:
        call_command("import", "cin-census", str(path), "--json", *args, stdout=out)
        failed = False
    except CommandError:
        failed = True
    return json.loads(out.getvalue()), failed


@pytest.fixture
def csc(db: Any) -> Any:
    return AgencyFactory(
        code="csc", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE, source_system="mosaic"
    )


def census_episodes() -> dict[str, Episode]:
    return {
        e.source_reference: e for e in Episode.objects.filter(source_system=census.SOURCE_SYSTEM)
    }


class TestAValidReturn:
    def test_each_child_is_loaded_with_every_episode_and_its_details(self, tmp_path, csc):
        result, failed = run_import(write(tmp_path / "cin.xml", child(), ID002))
        assert not failed and result["status"] == "loaded"
        assert result["counts"]["children_loaded"] == 2
        assert result["counts"]["episodes_created"] == 10
        person = PersonIdentifier.objects.get(system="mosaic", value="ID001").person
        assert (person.upn, person.sex, person.ethnicity) == (VALID_UPN, "F", "WBRI")
        assert person.date_of_birth == datetime.date(2015, 5, 1)
        assert person.disabilities == ["NONE"]
        episodes = census_episodes()
        referral = episodes["ID001/2024-05-01/referral/1"]
        assert (referral.child, referral.kind, referral.lead_agency) == (
            person,
            EpisodeKind.REFERRAL,
            csc,
        )
        assert (referral.end_date, referral.end_reason, referral.referral_source) == (
            datetime.date(2025, 1, 10),
            "RC7",
            "3B",
        )
        assert referral.referral_nfa is False and referral.primary_need == "N1"
        assessment = episodes["ID001/2024-05-01/assessment/1"]
        assert assessment.referral == referral and assessment.factors == ["16A", "3A"]
        assert assessment.authorisation_date == datetime.date(2024, 6, 1)
        s47 = episodes["ID001/2024-05-01/s47/1"]
        assert (s47.initial_cpc_target, s47.initial_cpc_date, s47.icpc_not_required) == (
            datetime.date(2024, 8, 30),
            datetime.date(2024, 9, 1),
            False,
        )
        plan = episodes["ID001/2024-05-01/cp_plan/1"]
        assert (plan.initial_category, plan.latest_category, plan.number_of_previous_cpp) == (
            "NEG",
            "NEG",
            0,
        )
        assert plan.review_dates == ["2024-12-01"] and plan.end_date == datetime.date(2025, 1, 5)
        assert episodes["ID001/2024-05-01/cin_plan/1"].end_date == datetime.date(2024, 8, 20)

    def test_the_census_has_no_names_so_a_new_child_says_so(self, tmp_path, csc):
        run_import(write(tmp_path / "cin.xml", child()))
        person = Person.objects.get()
        assert person.full_name == "Not known (CIN census ID001)"

    def test_the_gender_current_layout_of_earlier_years_is_read(self, tmp_path, csc):
        older = child(("<Sex>F</Sex>", "<GenderCurrent>1</GenderCurrent>"))
        _result, failed = run_import(write(tmp_path / "cin2024.xml", older, year=2024))
        assert not failed
        person = Person.objects.get()
        assert (person.gender_current, person.sex) == ("1", "M")

    def test_an_unborn_child_has_an_expected_date_of_birth(self, tmp_path, csc):
        unborn = child(
            (
                "PersonBirthDate>2015-05-01</PersonBirthDate",
                "ExpectedPersonBirthDate>2025-06-01</ExpectedPersonBirthDate",
            )
        )
        run_import(write(tmp_path / "cin.xml", unborn))
        person = Person.objects.get()
        assert person.date_of_birth == datetime.date(2025, 6, 1)
        assert person.date_of_birth_precision == DatePrecision.EXPECTED

    def test_modules_hearth_does_not_use_are_skipped_and_reported_by_name_and_count(
        self, tmp_path, csc
    ):
        extra = (
            "</ChildCharacteristics>",
            "</ChildCharacteristics>\n    <ChildAdditional><Flag>1</Flag></ChildAdditional>",
        )
        result, failed = run_import(
            write(tmp_path / "cin.xml", child(extra), child(extra, la_child_id="ID003"))
        )
        assert not failed
        assert result["skipped_modules"] == {"Child/ChildAdditional": 2}

    def test_the_run_records_file_hash_who_when_mode_and_counts_and_is_audited(self, tmp_path, csc):
        path = write(tmp_path / "cin.xml", child(), ID002)
        result, _failed = run_import(path)
        run = ImportRun.objects.get()
        assert run.file_name == "cin.xml"
        assert run.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == result["sha256"]
        assert run.by_username.startswith("command line (")
        assert run.mode == "reject" and run.status == RunStatus.LOADED
        assert run.finished_at is not None and run.header["year"] == 2025
        assert run.counts["people_created"] == 2
        audit = AuditEvent.objects.get(action=AuditAction.IMPORT, person_id__isnull=True)
        assert audit.details["sha256"] == run.sha256 and audit.details["counts"] == run.counts
        per_child = AuditEvent.objects.filter(action=AuditAction.IMPORT, person_id__isnull=False)
        assert per_child.count() == 2
        outcomes = ImportChildOutcome.objects.filter(run=run)
        assert {o.outcome for o in outcomes} == {ChildOutcome.CREATED}

    def test_the_command_prints_a_readable_summary(self, tmp_path, csc):
        out = io.StringIO()
        call_command("import", "cin-census", str(write(tmp_path / "c.xml", child())), stdout=out)
        assert "Loaded 1 children (1 new" in out.getvalue()


class TestIdempotence:
    def test_importing_the_same_file_twice_creates_nothing_new(self, tmp_path, csc):
        path = write(tmp_path / "cin.xml", child(), ID002)
        run_import(path)
        before = (Person.objects.count(), Episode.objects.count(), PersonIdentifier.objects.count())
        result, failed = run_import(path)
        assert not failed
        assert (
            Person.objects.count(),
            Episode.objects.count(),
            PersonIdentifier.objects.count(),
        ) == before
        assert result["counts"]["episodes_created"] == 0
        assert result["counts"]["episodes_unchanged"] == 10
        second = ImportRun.objects.order_by("pk").last()
        assert second is not None
        assert set(second.outcomes.values_list("outcome", flat=True)) == {ChildOutcome.UNCHANGED}

    def test_a_changed_record_is_updated_and_what_changed_is_recorded(self, tmp_path, csc):
        run_import(write(tmp_path / "cin.xml", child()))
        changed = child(
            ("<LatestCategoryOfAbuse>NEG", "<LatestCategoryOfAbuse>MUL"),
            ("WBRI", "WOTH"),
        )
        result, failed = run_import(write(tmp_path / "cin-resubmitted.xml", changed))
        assert not failed and result["counts"]["episodes_updated"] == 1
        assert Episode.objects.count() == 5
        plan = census_episodes()["ID001/2024-05-01/cp_plan/1"]
        assert plan.latest_category == "MUL"
        outcome = ImportChildOutcome.objects.get(run__file_name="cin-resubmitted.xml")
        assert outcome.outcome == ChildOutcome.UPDATED
        assert outcome.changes["episodes"]["ID001/2024-05-01/cp_plan/1"] == {
            "latest_category": ["NEG", "MUL"]
        }
        assert outcome.changes["person"] == {"ethnicity": ["WBRI", "WOTH"]}

    def test_an_overlapping_file_adds_only_what_is_new(self, tmp_path, csc):
        run_import(write(tmp_path / "first.xml", child()))
        result, _failed = run_import(write(tmp_path / "second.xml", child(), ID002))
        assert result["counts"]["people_created"] == 1
        assert result["counts"]["episodes_created"] == 5
        assert Episode.objects.count() == 10


class TestAReturnWithErrors:
    BAD = child(("RC7", "RC9"), la_child_id="ID002")

    def test_by_default_the_whole_file_is_rejected_and_nothing_loaded(self, tmp_path, csc):
        result, failed = run_import(write(tmp_path / "cin.xml", child(), self.BAD))
        assert failed and result["rejected"] and result["status"] == "rejected"
        assert Person.objects.count() == 0 and Episode.objects.count() == 0
        [problem] = result["problems"]
        assert problem == {
            "child": "ID002",
            "path": "/Message/Children/Child[2]/CINdetails[1]/ReasonForClosure",
            "value": "RC9",
            "rule": "CODE_CLOSURE_REASON",
            "message": "The reason for closure must be one of the codes RC1 to RC8. "
            "'RC9' is not one.",
        }
        assert result["held_back"] == ["ID002"]
        assert AuditEvent.objects.filter(action=AuditAction.REJECT_IMPORT).count() == 1

    def test_partial_mode_loads_the_valid_children_and_lists_those_held_back(self, tmp_path, csc):
        result, failed = run_import(write(tmp_path / "cin.xml", child(), self.BAD), "--partial")
        assert not failed
        assert result["counts"]["children_loaded"] == 1
        assert result["held_back"] == ["ID002"]
        assert PersonIdentifier.objects.filter(value="ID002").count() == 0
        assert Episode.objects.count() == 5  # all of ID001's, none of ID002's

    def test_the_csv_report_lists_every_problem_and_is_safe_in_a_spreadsheet(self, tmp_path, csc):
        formula = child(la_child_id="=HYPERLINK")
        path = write(tmp_path / "cin.xml", formula, self.BAD)
        report = tmp_path / "report.csv"
        with pytest.raises(CommandError):
            call_command(
                "import", "cin-census", str(path), "--report", str(report), stdout=io.StringIO()
            )
        rows = list(csv.DictReader(report.open(encoding="utf-8")))
        assert {r["rule"] for r in rows} == {"LA_CHILD_ID_FORMAT", "CODE_CLOSURE_REASON"}
        assert {r["child"] for r in rows} == {"'=HYPERLINK", "ID002"}

    def test_a_child_appearing_twice_is_held_back_both_times(self, tmp_path, csc):
        result, failed = run_import(
            write(tmp_path / "cin.xml", child(), child(), ID002), "--partial"
        )
        assert not failed and result["counts"]["children_loaded"] == 1
        assert result["held_back"] == ["ID001", "ID001"]
        assert [p["rule"] for p in result["problems"]] == ["LA_CHILD_ID_UNIQUE"]


class TestUnsafeOrBrokenFiles:
    def test_an_xml_bomb_is_refused_without_being_expanded(self, tmp_path, csc):
        entities = '<!ENTITY lol0 "lol">' + "".join(
            f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
        )
        prologue = f"<!DOCTYPE Message [{entities}]>\n"  # a billion "lol"s when expanded
        bomb = child(("<LAchildID>ID001", "<LAchildID>&lol9;"))
        started = time.perf_counter()
        result, failed = run_import(write(tmp_path / "bomb.xml", bomb, prologue=prologue))
        assert time.perf_counter() - started < 5
        assert failed and [p["rule"] for p in result["problems"]] == ["XML_DTD"]
        assert "XML bombs" in result["problems"][0]["message"]
        assert Person.objects.count() == 0

    def test_an_external_entity_is_refused_and_never_read(self, tmp_path, csc):
        secret = tmp_path / "secret.txt"
        secret.write_text("synthetic-secret-value")
        prologue = f'<!DOCTYPE Message [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        result, failed = run_import(
            write(
                tmp_path / "xxe.xml",
                child(("<LAchildID>ID001", "<LAchildID>&xxe;")),
                prologue=prologue,
            )
        )
        assert failed and result["problems"][0]["rule"] == "XML_DTD"
        assert "synthetic-secret-value" not in json.dumps(result)
        assert Person.objects.count() == 0

    def test_a_dtd_hidden_behind_a_long_comment_is_still_refused(self, tmp_path, csc):
        padding = "<!--" + "x" * 70_000 + "-->\n"
        prologue = padding + '<!DOCTYPE Message [<!ENTITY e "ID001">]>\n'
        result, failed = run_import(
            write(
                tmp_path / "hidden.xml",
                child(("<LAchildID>ID001", "<LAchildID>&e;")),
                prologue=prologue,
            )
        )
        assert failed and result["problems"][0]["rule"] == "XML_DTD"
        assert Person.objects.count() == 0

    def test_a_file_that_is_not_well_formed_is_refused_with_its_line(self, tmp_path, csc):
        path = tmp_path / "cut.xml"
        path.write_bytes(write(tmp_path / "whole.xml", child(), ID002).read_bytes()[:-400])
        result, failed = run_import(path, "--partial")
        assert failed and result["status"] == "rejected"
        assert "not well-formed XML (line" in result["problems"][0]["message"]
        assert Person.objects.count() == 0

    def test_a_file_that_is_not_a_census_is_refused(self, tmp_path, csc):
        path = tmp_path / "other.xml"
        path.write_text("<Return><Children/></Return>")
        result, failed = run_import(path)
        assert failed and "not <Message>" in result["problems"][0]["message"]

    def test_a_missing_file_is_a_clear_error(self, tmp_path, csc):
        with pytest.raises(CommandError, match="Cannot read"):
            call_command("import", "cin-census", str(tmp_path / "nope.xml"), stdout=io.StringIO())


class TestMatching:
    def test_a_child_known_by_la_child_id_is_matched_not_duplicated(self, tmp_path, csc):
        known = PersonFactory(given_name="Amy", family_name="Archer")
        PersonIdentifier.objects.create(person=known, system="mosaic", value="ID001")
        result, _failed = run_import(write(tmp_path / "cin.xml", child()))
        assert Person.objects.count() == 1
        assert result["counts"]["people_matched"] == 1
        assert Episode.objects.filter(child=known).count() == 5
        known.refresh_from_db()
        assert known.upn == VALID_UPN and known.given_name == "Amy"
        outcome = ImportChildOutcome.objects.get()
        assert outcome.matched_by == "la_child_id"
        assert outcome.changes["person"]["upn"] == ["", VALID_UPN]

    def test_a_child_known_by_upn_is_matched_and_given_the_la_child_id(self, tmp_path, csc):
        known = PersonFactory(upn=VALID_UPN)
        run_import(write(tmp_path / "cin.xml", child()))
        assert Person.objects.count() == 1
        assert PersonIdentifier.objects.get(value="ID001").person == known
        assert ImportChildOutcome.objects.get().matched_by == "upn"

    def test_a_upn_two_people_share_is_never_guessed(self, tmp_path, csc):
        PersonFactory(upn=VALID_UPN)
        PersonFactory(upn=VALID_UPN)
        result, failed = run_import(write(tmp_path / "cin.xml", child(), ID002), "--partial")
        assert not failed
        assert result["held_back"] == ["ID001"]
        assert result["problems"][0]["rule"] == "MATCH_AMBIGUOUS"
        assert Episode.objects.count() == 5  # ID002's only

    def test_in_reject_mode_an_unmatchable_child_rejects_the_file(self, tmp_path, csc):
        PersonFactory(upn=VALID_UPN)
        PersonFactory(upn=VALID_UPN)
        result, failed = run_import(write(tmp_path / "cin.xml", ID002, child()))
        assert failed and result["status"] == "rejected"
        assert Episode.objects.count() == 0 and PersonIdentifier.objects.count() == 0

    def test_an_la_child_id_and_upn_of_different_people_hold_the_child_back(self, tmp_path, csc):
        by_id = PersonFactory()
        PersonIdentifier.objects.create(person=by_id, system="mosaic", value="ID001")
        PersonFactory(upn=VALID_UPN)
        result, _failed = run_import(write(tmp_path / "cin.xml", child()), "--partial")
        assert result["problems"][0]["rule"] == "MATCH_CONFLICT"
        assert Episode.objects.count() == 0

    def test_date_of_birth_and_sex_alone_never_match(self, tmp_path, csc):
        PersonFactory(date_of_birth=datetime.date(2015, 5, 1), sex="F")
        run_import(write(tmp_path / "cin.xml", child((f"<UPN>{VALID_UPN}</UPN>", ""))))
        assert Person.objects.count() == 2

    def test_an_episode_hearth_already_held_from_elsewhere_is_not_duplicated(self, tmp_path, csc):
        known = PersonFactory()
        PersonIdentifier.objects.create(person=known, system="mosaic", value="ID001")
        Episode.objects.create(
            kind=EpisodeKind.REFERRAL,
            child=known,
            start_date=datetime.date(2024, 5, 1),
            referral_source="3B",
            source_system="mosaic",
            source_reference="R-1",
        )
        run_import(write(tmp_path / "cin.xml", child()))
        assert Episode.objects.filter(kind=EpisodeKind.REFERRAL).count() == 1
        referral = Episode.objects.get(kind=EpisodeKind.REFERRAL)
        assert referral.source_reference == "R-1" and referral.end_reason == "RC7"


def test_the_check_streams_so_memory_does_not_grow_with_the_file(tmp_path, db):
    def peak(children: int) -> int:
        path = tmp_path / f"syn{children}.xml"
        write_synthetic_census(path, children)
        tracemalloc.start()
        report = census.scan(path)
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert report.children == children and not report.problems
        return top

    small, large = peak(200), peak(4000)
    assert large < small * 3, (
        small,
        large,
    )  # 20 times the children, nowhere near 20 times the memory
