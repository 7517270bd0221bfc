"""Replay: the exchange format is validated (every problem named by its JSON path) and loaded
all-or-nothing and idempotently; the shipped families' alerts first fire on the days worked out by
hand from their files (docs/replay.md explains each); and `hearth replay` runs end to end in an
isolated store without touching the configured database."""

import copy
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from hearth.access.models import Involvement
from hearth.accounts.models import Role
from hearth.agencies.models import Agency, AgencyType
from hearth.alerts.management.commands.replay import (
    Firing,
    current_rules,
    default_period,
    merge,
    run_isolated,
    walk,
    walk_segment,
)
from hearth.chronology import actions as chronology_actions
from hearth.chronology.models import ChronologyEntry, DateAccuracy, EventType, SharingLevel
from hearth.episodes.models import AbuseCategory, Episode, EpisodeKind, PrimaryNeed, ReferralSource
from hearth.exchange.load import ExchangeError, load, load_file, read_file, schema, validate
from hearth.people.models import (
    Address,
    DatePrecision,
    Disability,
    Ethnicity,
    Person,
    PersonKind,
    Relationship,
    RelationshipType,
    Residence,
    Sex,
)

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
REPLAYS = REPO / "replays"
D = datetime.date.fromisoformat

# (rule, child, first fired): worked out by hand from the files; docs/replay.md gives the reasons.
FAMILY_X = [
    ("cumulative-concern", "kayleigh", "1993-07-05"),
    ("health-neglect", "jordan", "1993-09-14"),
    ("plan-drift", "kayleigh", "1994-11-15"),
    ("repeat-referrals", "jordan", "1997-04-14"),
    ("repeat-referrals", "callum", "2000-09-18"),
    ("plan-drift", "mia", "2008-05-13"),
    ("repeat-plan", "jordan", "2009-06-29"),
    ("many-agencies", "ruby", "2013-10-21"),
    ("animal-welfare", "ruby", "2014-05-12"),
    ("repeat-referrals", "ruby", "2014-08-18"),
]
FAMILY_DRIFT = [
    ("health-neglect", "mason", "2018-11-21"),
    ("cumulative-concern", "ellie", "2018-12-05"),
    ("many-agencies", "ellie", "2019-01-07"),
    ("plan-drift", "ellie", "2020-02-11"),
    ("repeat-referrals", "mason", "2021-10-04"),
    ("cp-ended-early", "ellie", "2022-02-28"),
    ("repeat-plan", "mason", "2022-09-12"),
]
FAMILY_NEW_BABY = [
    ("many-agencies", "kacey", "2023-06-14"),
    ("cumulative-concern", "kacey", "2023-08-09"),
    ("animal-welfare", "kacey", "2023-08-09"),
    ("health-neglect", "kacey", "2023-09-11"),
    ("cumulative-concern", "alfie", "2023-10-02"),
    ("many-agencies", "alfie", "2023-10-02"),
    ("animal-welfare", "alfie", "2024-06-10"),
    ("health-neglect", "alfie", "2025-02-05"),
    ("repeat-referrals", "kacey", "2024-07-02"),
]
EXPECTED = {
    "family-x.json": FAMILY_X,
    "family-drift.json": FAMILY_DRIFT,
    "family-new-baby.json": FAMILY_NEW_BABY,
}


def active(codes=None):
    """The active rules (those the test database has published), or only `codes` of them."""
    rules = current_rules()
    return {c: spec for c, spec in rules.items() if codes is None or c in codes}


def replay(name, codes=None, step=7, start=None, end=None):
    """What the command does: load the file into a fresh isolated store in a child process and
    walk it there. Step 7 finds the same days as step 1 (see the test below), faster."""
    result = run_isolated(
        REPLAYS / name, rules=active(codes), start=start, end=end, step=step, workers=2
    )
    return {(f["rule"], f["child"]): Firing.from_full_json(f) for f in result["firings"]}


def replay_here(name, codes=None, step=7, start=None, end=None):
    """The same walk in this process, on the test database."""
    loaded = load_file(REPLAYS / name)
    first, last = default_period(read_file(REPLAYS / name), loaded)
    result = walk(loaded, active(codes), start or first, end or last, step=step)
    return {(f.rule, f.child): f for f in result.firings}


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Agency,
            Person,
            Address,
            Residence,
            Relationship,
            Involvement,
            Episode,
            ChronologyEntry,
        )
    }


# The shipped files.


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_shipped_file_is_valid_synthetic_and_uses_test_nhs_numbers(name):
    data = read_file(REPLAYS / name)
    codes = set(EventType.objects.values_list("code", flat=True))
    assert validate(data, name=name, event_types=codes) == []
    assert data["synthetic"] is True
    assert all(p["nhs_number"].startswith("999") for p in data["people"])


def test_every_replay_file_in_the_repository_has_expectations_here():
    assert {p.name for p in REPLAYS.glob("*.json")} == set(EXPECTED)


def _first_days(name, found):
    expected = EXPECTED[name]
    actual = [
        (rule, child, found[(rule, child)].first_fired.isoformat())
        if (rule, child) in found
        else (rule, child, None)
        for rule, child, _day in expected
    ]
    assert actual == expected


def test_family_x_alerts_first_fire_on_the_days_worked_out_by_hand():
    found = replay("family-x.json", codes={rule for rule, _c, _d in FAMILY_X})
    _first_days("family-x.json", found)
    # Plan drift stops when a plan ends and fires again on the next one: the CIN plan over 365
    # days (2008), the CP plan over 456 days (2010), the next CIN plan (2012).
    assert found[("plan-drift", "callum")].fired_again == [D("2010-09-28"), D("2012-03-06")]
    # Kayleigh was 19 at the second plan: a replay stops evaluating a child at 18.
    assert ("repeat-plan", "kayleigh") not in found
    assert not [key for key in found if key[0] == "cp-ended-early"]
    # Evidence: the file's refs, as known on the day the rule fired.
    assert found[("cumulative-concern", "kayleigh")].as_json()["evidence"] == [
        "1993-03-06:domestic-abuse-incident",
        "1993-04-13:missed-health-appointment",
        "1993-06-21:home-conditions",
        "1993-07-05:referral-received",
    ]
    # Ruby's third referral (November 2014) was not yet made when the rule fired in August.
    assert found[("repeat-referrals", "ruby")].as_json()["evidence"] == [
        "ruby-referral-2013-10-22",
        "ruby-referral-2014-08-18",
    ]


def test_family_drift_alerts_first_fire_on_the_days_worked_out_by_hand():
    found = replay("family-drift.json", codes={rule for rule, _c, _d in FAMILY_DRIFT})
    _first_days("family-drift.json", found)
    # The CP plan that followed the drifting CIN plan drifted too (over 456 days).
    assert found[("plan-drift", "mason")].fired_again == [D("2023-12-12")]
    assert found[("cp-ended-early", "ellie")].as_json()["evidence"] == ["ellie-cp_plan-2021-12-06"]


def test_family_new_baby_alerts_first_fire_on_the_days_worked_out_by_hand():
    found = replay("family-new-baby.json", codes={rule for rule, _c, _d in FAMILY_NEW_BABY})
    _first_days("family-new-baby.json", found)
    # Before Alfie was born only entries about his family count for him, not those about the
    # household (he did not live there yet): the first animal welfare concern never does.
    assert found[("animal-welfare", "alfie")].as_json()["evidence"] == ["2024-06-10:animal-welfare"]


def test_the_walk_on_the_test_database_finds_the_same_days():
    codes = {rule for rule, _c, _d in FAMILY_NEW_BABY}
    _first_days("family-new-baby.json", replay_here("family-new-baby.json", codes, step=14))


def test_a_walk_with_a_step_finds_the_same_days_as_walking_every_day():
    """Every active rule, over a year in which plan drift starts on a day with no record."""
    period = {"start": D("2019-10-01"), "end": D("2020-09-30")}
    every_day = replay("family-drift.json", step=1, **period)
    stepped = replay("family-drift.json", step=7, **period)
    assert every_day[("plan-drift", "ellie")].first_fired == D("2020-02-11")
    assert {k: f.as_json() for k, f in stepped.items()} == {
        k: f.as_json() for k, f in every_day.items()
    }


def test_a_walk_in_periods_merges_into_the_same_walk():
    loaded = load_file(REPLAYS / "family-drift.json")
    rules = active({"plan-drift", "repeat-referrals"})
    whole = walk(loaded, rules, D("2019-01-01"), D("2024-12-31"), step=7)
    parts = merge(
        [
            walk_segment(loaded, rules, D("2019-01-01"), D("2020-06-30"), step=7),
            walk_segment(loaded, rules, D("2020-07-01"), D("2024-12-31"), step=7),
        ]
    )
    assert [f.as_json() for f in parts.firings] == [f.as_json() for f in whole.firings]


# Loading: idempotent, all-or-nothing, every problem named by its JSON path.


def test_loading_the_same_file_twice_creates_nothing_new():
    first = load_file(REPLAYS / "family-new-baby.json")
    before = counts()
    again = load_file(REPLAYS / "family-new-baby.json")
    assert counts() == before
    assert set(again.created.values()) == {0}
    assert again.people == first.people
    assert again.entries == first.entries
    assert again.episodes == first.episodes
    entry = ChronologyEntry.objects.get(pk=first.entries["2023-08-09:animal-welfare"])
    assert (entry.source_system, entry.source_reference) == (
        "exchange:family-new-baby.json",
        "2023-08-09:animal-welfare",
    )
    assert entry.agency.name == "Brackenford Animal Welfare Trust"


def _new_baby():
    return copy.deepcopy(read_file(REPLAYS / "family-new-baby.json"))


def test_a_file_of_the_wrong_shape_is_refused_with_json_paths_and_nothing_is_loaded():
    data = _new_baby()
    del data["people"][0]["sex"]
    data["episodes"][1]["kind"] = "holiday"
    data["entries"][2]["date"] = "2023-02-30"
    data["entries"][3]["about"] = []  # and no household
    data["entries"][3].pop("household")
    before = counts()
    with pytest.raises(ExchangeError) as refused:
        load(data, name="broken.json")
    paths = {p.path: p.message for p in refused.value.problems}
    assert "'sex' is a required property" in paths["$.people[0]"]
    assert "holiday" in paths["$.episodes[1].kind"]
    assert "$.entries[2].date" in paths
    assert "household" in paths["$.entries[3]"]
    assert counts() == before


def test_references_dates_and_identifiers_are_checked_with_json_paths():
    data = _new_baby()
    data["entries"][0]["about"] = ["nobody"]
    data["entries"][1]["agency"] = "the-council"
    data["entries"][4]["event_type"] = "made-up-event"
    data["entries"][5]["date"] = "2999-01-01"
    data["episodes"][0]["end"] = "2020-01-01"  # before it started
    data["episodes"][1]["referral"] = data["episodes"][0]["ref"]  # an early help plan's referral
    data["episodes"][1]["child"] = "alfie"  # … of another child
    data["people"][0]["nhs_number"] = "9990000000"
    data["addresses"][0]["postcode"] = "NOT 1T"
    data["residences"][0]["address"] = "elsewhere"
    data["relationships"][0]["relative"] = "demi"  # herself
    data["entries"][6]["ref"] = data["entries"][0]["ref"]
    before = counts()
    with pytest.raises(ExchangeError) as refused:
        load(data, name="broken.json")
    problems = {p.path: p.message for p in refused.value.problems}
    assert problems["$.entries[0].about[0]"] == "no person has the ref 'nobody'"
    assert problems["$.entries[1].agency"] == "no agency has the ref 'the-council'"
    assert problems["$.entries[4].event_type"] == "'made-up-event' is not in the taxonomy"
    assert problems["$.entries[5].date"] == "2999-01-01 is in the future"
    assert problems["$.episodes[0].end"] == "2020-01-01 is before the start (2023-10-16)"
    assert "another child's referral" in problems["$.episodes[1].referral"]
    assert "check digit" in problems["$.people[0].nhs_number"]
    assert "postcode" in problems["$.addresses[0].postcode"]
    assert problems["$.residences[0].address"] == "no address has the ref 'elsewhere'"
    assert "own relative" in problems["$.relationships[0].relative"]
    assert "used twice" in problems["$.entries[6].ref"]
    assert counts() == before


def test_a_refusal_halfway_through_the_load_leaves_nothing_behind(monkeypatch):
    real = chronology_actions.create_entry
    calls = []

    def refuse_the_tenth(**kwargs):
        calls.append(kwargs["source_reference"])
        if len(calls) == 10:
            raise ValidationError({"description": "Refused for the test."})
        return real(**kwargs)

    monkeypatch.setattr("hearth.exchange.load.create_entry", refuse_the_tenth)
    before = counts()
    with pytest.raises(ExchangeError) as refused:
        load_file(REPLAYS / "family-new-baby.json")
    assert [str(p) for p in refused.value.problems] == [
        "$.entries[9]: description: Refused for the test."
    ]
    assert counts() == before


def test_unreadable_json_is_refused_with_its_line(tmp_path):
    path = tmp_path / "cut-short.json"
    path.write_text((REPLAYS / "family-x.json").read_text()[:200])
    with pytest.raises(ExchangeError) as refused:
        load_file(path)
    assert refused.value.problems[0].path == "$"
    assert "not valid JSON at line" in refused.value.problems[0].message


def test_the_schema_lists_the_models_codes():
    defs = schema()["$defs"]
    assert defs["agency"]["properties"]["type"]["enum"] == AgencyType.values
    person = defs["person"]["properties"]
    assert person["kind"]["enum"] == PersonKind.values
    assert person["sex"]["enum"] == Sex.values
    assert person["date_of_birth_precision"]["enum"] == DatePrecision.values
    assert person["ethnicity"]["enum"] == Ethnicity.values
    assert person["disabilities"]["items"]["enum"] == Disability.values
    assert defs["relationship"]["properties"]["type"]["enum"] == RelationshipType.values
    episode = defs["episode"]["properties"]
    assert episode["kind"]["enum"] == EpisodeKind.values
    assert episode["referral_source"]["enum"] == ReferralSource.values
    assert episode["primary_need"]["enum"] == PrimaryNeed.values
    assert episode["initial_category"]["enum"] == AbuseCategory.values
    entry = defs["entry"]["properties"]
    assert entry["date_accuracy"]["enum"] == DateAccuracy.values
    assert entry["sharing_level"]["enum"] == SharingLevel.values
    assert entry["restricted_roles"]["items"]["enum"] == Role.values


# The command.


def test_the_command_refuses_an_invalid_file_naming_the_problems(tmp_path):
    data = _new_baby()
    data["entries"][0]["about"] = ["nobody"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError) as refused:
        call_command("replay", str(path), "--json")
    assert "nothing was loaded" in str(refused.value)
    assert "$.entries[0].about[0]: no person has the ref 'nobody'" in str(refused.value)


def test_hearth_replay_json_end_to_end_in_an_isolated_store(tmp_path):
    """The real command, in a fresh process: its configured database is a SQLite file that does
    not exist, and still does not exist afterwards (the store is elsewhere, and thrown away)."""
    configured = tmp_path / "never-created.sqlite3"
    env = {**os.environ, "HEARTH_ENV": "test", "DATABASE_URL": f"sqlite:///{configured}"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hearth.manage",
            "replay",
            str(REPLAYS / "family-new-baby.json"),
            "--json",
            "--from",
            "2023-06-01",
            "--to",
            "2024-07-31",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    firings = json.loads(done.stdout)
    assert not configured.exists()
    assert firings == sorted(firings, key=lambda f: (f["first_fired"], f["rule"], f["child"]))
    assert all(
        set(f)
        == {"rule", "rule_version", "child", "first_fired", "evidence", "summary", "fired_again"}
        for f in firings
    )
    found = {(f["rule"], f["child"]): f for f in firings}
    for rule, child, day in FAMILY_NEW_BABY:
        if day <= "2024-07-31":  # the walk's --to
            assert found[(rule, child)]["first_fired"] == day
    assert ("health-neglect", "alfie") not in found  # not until 2025
    assert found[("animal-welfare", "kacey")]["evidence"] == ["2023-08-09:animal-welfare"]
    assert found[("animal-welfare", "kacey")]["rule_version"] >= 1
