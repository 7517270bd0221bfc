"""The dataset's exports and screens: real numbers in the workbook, formula-safe text, small
numbers withheld for publication, and figures only for the roles that may see them."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from hearth.accounts.models import Role
from hearth.audit.models import AuditAction, AuditEvent
from hearth.episodes.models import Episode, EpisodeKind
from hearth.lib.periods import Quarter
from hearth.partnership import dataset as datasets
from hearth.partnership import exports
from hearth.partnership.models import PopulationSource
from hearth.partnership.reference import load_reference_data
from hearth.partnership.reference import settings as reporting_settings
from tests.conftest import sign_in
from tests.factories.accounts import UserFactory
from tests.factories.people import PersonFactory
from tests.factories.toolkit import completed_sdq

pytestmark = pytest.mark.django_db
Q1 = Quarter(2025, 1)


@pytest.fixture
def records(db):
    s = reporting_settings()
    s.population_source = PopulationSource.FIXED
    s.fixed_child_population = 10_000
    s.save()
    # 12 children on plans under neglect, 3 of whom began under another category; 2 under EMO.
    for n in range(14):
        Episode.objects.create(
            kind=EpisodeKind.CP_PLAN,
            child=PersonFactory(date_of_birth=dt.date(2016, 1, 1)),
            start_date=dt.date(2024, 12, 1) + dt.timedelta(days=n),
            initial_category="NEG" if n < 9 else "EMO",
            latest_category="NEG" if n < 12 else "EMO",
        )


def test_the_workbook_has_a_sheet_per_section_and_real_numbers(records):
    data = datasets.compute(Q1)
    wb = load_workbook(io.BytesIO(exports.to_xlsx(data)))
    assert {
        "About",
        "Emerging themes",
        "Child protection plans",
        "Referrals",
        "Definitions",
        "Breakdowns",
        "Trend",
    } <= set(wb.sheetnames)
    ws = wb["Child protection plans"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    share = rows["cp_neglect_share_latest"]
    assert isinstance(share[2].value, float)
    assert share[2].value == pytest.approx(12 / 14)
    assert share[2].number_format == "0.0%"
    assert (share[3].value, share[4].value) == (12, 14)
    assert rows["cp_children"][2].value == pytest.approx(14.0)  # per 10,000 of 10,000
    definitions = {r[0].value: r[4].value for r in wb["Definitions"].iter_rows(min_row=2)}
    assert "latest category" in definitions["cp_neglect_share_latest"]


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(world):
    world.csc.name = '=HYPERLINK("http://x.invalid","click")'
    world.csc.save()
    completed_sdq(by=world.alice, child=world.amy)
    data = datasets.compute(Quarter.containing(dt.date.today()))
    wb = load_workbook(io.BytesIO(exports.to_xlsx(data)))
    values = [
        c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    ]
    assert any("HYPERLINK" in v for v in values)
    assert not any(v.startswith("=") for v in values)
    assert all(c.data_type != "f" for ws in wb for row in ws.iter_rows() for c in row)
    text = exports.to_csv(data)
    assert not any(cell.startswith("=") for line in csv.reader(io.StringIO(text)) for cell in line)


def test_an_export_for_publication_withholds_counts_of_fewer_than_five_children(records):
    data = datasets.compute(Q1)
    published = {r["code"]: r for r in exports.indicator_records(data, publication=True)}
    internal = {r["code"]: r for r in exports.indicator_records(data)}
    # 2 children whose latest category is not neglect → 12 of 14 shown; EMO initial: 5 of 14.
    assert internal["cp_neglect_share_latest"]["numerator"] == 12
    assert published["cp_neglect_share_latest"]["numerator"] == 12
    assert internal["cp_category_changed"]["numerator"] == 3
    assert published["cp_category_changed"]["numerator"] == "c"
    assert published["cp_category_changed"]["value"] == "c"
    groups = exports.breakdown_records(data, publication=True)
    assert all(g["numerator"] == "c" or not (0 < g["numerator"] < 5) for g in groups)  # type: ignore[operator]


def test_the_command_writes_each_format_and_refuses_a_bad_quarter(records, tmp_path, capsys):
    for fmt in ("xlsx", "csv", "json"):
        out = tmp_path / f"dataset.{fmt}"
        call_command("dataset", "--quarter", "2025Q1", "--format", fmt, "--output", str(out))
        assert out.stat().st_size > 0
    payload = json.loads((tmp_path / "dataset.json").read_text())
    codes = {r["code"]: r for r in payload["indicators"]}
    assert codes["cp_neglect_share_latest"]["numerator"] == 12
    assert payload["about"]["Period"] == "Q1 2025: 1 January 2025 to 31 March 2025"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="dataset").count() == 3
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="write it as 2025Q1"):
        call_command("dataset", "--quarter", "2025Q5", "--output", str(tmp_path / "x"))


def test_reference_values_stand_beside_the_indicator_with_their_source(records):
    load_reference_data()
    call_command("reference", "load", "--la", "938")
    row = datasets.compute(Q1, codes=["cp_repeat_ever"]).row("cp_repeat_ever")
    labels = [r.label for r in row.references]
    assert labels[0] == "England 2024-25"
    assert row.references[0].value == pytest.approx(24.5)
    assert any(label.startswith("West Sussex") for label in labels)
    assert any(label.startswith("South East") for label in labels)
    assert any(label.startswith("Statistical neighbours") for label in labels)
    assert "Open Government Licence" in row.references[0].source


def test_loading_the_reference_data_twice_never_duplicates(db):
    from hearth.partnership.models import ReferenceValue

    load_reference_data()
    first = ReferenceValue.objects.count()
    load_reference_data()
    assert ReferenceValue.objects.count() == first > 10_000


def test_an_analyst_and_a_scrutineer_see_the_dataset_and_a_practitioner_is_refused(world, records):
    scrutineer = UserFactory(username="sc", agency=world.csc, role=Role.AUDITOR)
    for user in (world.nina, scrutineer):
        response = sign_in(Client(), user).get(reverse("partnership:dataset") + "?quarter=2025Q1")
        assert response.status_code == 200
        assert "85.7% (12 of 14)" in response.content.decode()
    for user in (world.alice, world.mike, world.iris):
        response = sign_in(Client(), user).get(reverse("partnership:dataset"))
        assert response.status_code == 403
        download = sign_in(Client(), user).get(reverse("partnership:download", args=["xlsx"]))
        assert download.status_code == 403
        api = sign_in(Client(), user).get(reverse("api:dataset"))
        assert api.status_code == 403


def test_a_bad_quarter_on_the_page_says_how_to_write_it(world):
    response = sign_in(Client(), world.nina).get(reverse("partnership:dataset") + "?quarter=Q9")
    assert response.status_code == 200
    assert "write it as 2025Q1" in response.content.decode()


def test_the_download_is_an_audited_workbook_named_for_its_quarter(world, records):
    response = sign_in(Client(), world.nina).get(
        reverse("partnership:download", args=["xlsx"]) + "?quarter=2025Q1&publication=1"
    )
    assert response.status_code == 200
    assert "hearth-neglect-dataset-2025Q1-for-publication.xlsx" in response["Content-Disposition"]
    load_workbook(io.BytesIO(response.content))
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, actor_username="nina")
    assert event.details["publication"] is True


def test_the_api_gives_the_dataset_and_names_a_bad_field(world, records):
    client = sign_in(Client(), world.nina)
    response = client.get(reverse("api:dataset") + "?quarter=2025Q1")
    assert response.status_code == 200
    codes = {r["code"]: r for r in response.json()["indicators"]}
    assert codes["cp_neglect_share_latest"]["denominator"] == 14
    bad = client.get(reverse("api:dataset") + "?quarter=soon&agency=nowhere")
    assert bad.status_code == 400
    assert set(bad.json()) == {"quarter", "agency"}


def test_the_indicator_page_shows_its_definition_trend_and_breakdowns(world, records):
    response = sign_in(Client(), world.nina).get(
        reverse("partnership:indicator", args=["cp_neglect_share_latest"]) + "?quarter=2025Q1"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "latest category" in body and "<svg" in body
    assert "By age" in body and "10 to 15" not in body and "5 to 9" in body


def test_the_printable_report_leads_with_the_themes(world, records):
    response = sign_in(Client(), world.nina).get(reverse("partnership:report") + "?quarter=2025Q1")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Emerging themes") < body.index("Child protection plans")


def test_an_administrator_chooses_the_authority_and_a_typo_is_refused(world):
    load_reference_data()
    admin = UserFactory(username="ada", agency=world.csc, role=Role.ADMINISTRATOR)
    client = sign_in(Client(), admin)
    url = reverse("partnership:settings")
    form = {
        "la_code": "E10000099",
        "population_source": "ons",
        "theme_points": "5",
        "theme_relative": "20",
        "theme_min_denominator": "10",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert "No local authority with code" in refused.content.decode()
    saved = client.post(url, form | {"la_code": "E10000032"})
    assert saved.status_code == 302
    assert reporting_settings().la_code == "938"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE_SETTINGS)
    assert event.details["changed"]["la_code"] == "938"
    # Rates now use West Sussex's ONS estimate of its children (mid-2024: 181,943).
    data = datasets.compute(Quarter(2025, 2), codes=["cp_children"])
    assert data.population == 181_943
    assert sign_in(Client(), world.nina).get(url).status_code == 403


def test_every_indicator_is_documented():
    from pathlib import Path

    from hearth.partnership.indicators import LIBRARY

    docs = (Path(__file__).resolve().parents[2] / "docs" / "dataset.md").read_text()
    assert [code for code in LIBRARY if f"`{code}`" not in docs] == []


def test_tools_completed_are_counted_by_tool_agency_and_team(world):
    from hearth.agencies.models import Team

    world.alice.team = Team.objects.create(agency=world.csc, name="Assessment team 2")
    world.alice.save()
    completed_sdq(by=world.alice, child=world.amy)
    completed_sdq(by=world.alice, child=world.ben)
    data = datasets.compute(Quarter.containing(dt.date.today()), codes=["tools_completed"])
    row = data.row("tools_completed")
    assert row.current.figure.numerator == 2
    teams = {g.label: g.figure.numerator for g in row.current.groups if g.dimension == "team"}
    assert teams == {"Assessment team 2": 2}
    agencies = {g.label: g.figure.numerator for g in row.current.groups if g.dimension == "agency"}
    assert agencies == {world.csc.name: 2}


def test_the_page_and_its_download_share_one_recent_computation_until_asked_again(world, records):
    client = sign_in(Client(), world.nina)
    url = reverse("partnership:dataset") + "?quarter=2025Q1"
    first = client.get(url).context["data"]
    Episode.objects.create(
        kind=EpisodeKind.CP_PLAN,
        child=PersonFactory(),
        start_date=dt.date(2025, 1, 2),
        initial_category="NEG",
        latest_category="NEG",
    )
    assert client.get(url).context["data"] is first
    fresh = client.get(url + "&fresh=1").context["data"]
    assert fresh is not first
    assert fresh.row("cp_children").current.figure.numerator == 15


def test_the_report_and_workbook_carry_the_action_plans_rag_summary(world, records):
    from hearth.actionplans import actions as plans

    lead = UserFactory(username="lee", agency=world.health, role=Role.AGENCY_LEAD)
    plan = plans.create_plan(by=lead, agency=world.health, plan_year="2024-25")
    objective = plans.add_objective(
        by=lead, plan=plan, strategic_objective="recognise", description="Spot neglect early"
    )
    action = plans.add_action(
        by=lead,
        objective=objective,
        description="Train every health visitor in the graded care tool",
        owner="Named nurse",
        due_date=dt.date(2025, 3, 31),
        measure_of_impact="Graded care used at every new birth visit with concerns",
        first_quarter="2025Q1",
        today=dt.date(2025, 1, 10),
    )
    plans.record_update(
        by=lead,
        action=action,
        quarter="2025Q1",
        rag="amber",
        narrative="Two thirds trained.",
        today=dt.date(2025, 4, 2),
    )
    report = sign_in(Client(), world.nina).get(reverse("partnership:report") + "?quarter=2025Q1")
    body = report.content.decode()
    assert "Agency action plans: RAG summary" in body
    assert world.health.name in body and "Amber" in body
    wb = load_workbook(io.BytesIO(exports.to_xlsx(datasets.compute(Q1))))
    rag = [[c.value for c in r] for r in wb["Action plans RAG"].iter_rows(min_row=2)]
    recognise = next(r for r in rag if r[2] == "Recognise")
    assert recognise[:4] == [world.health.name, "2024-25", "Recognise", "amber"]
