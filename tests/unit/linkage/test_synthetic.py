"""The synthetic linkage data set: the matcher's contract, the corruption rates, and the metrics."""

import io
import re

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from hearth.lib.identifiers import is_valid_nhs_number, is_valid_postcode, is_valid_upn
from hearth.linkage import synthetic
from hearth.linkage.metrics import evaluate_clusters, links_table, true_pair_count, true_pairs
from hearth.linkage.synthetic import SYSTEMS, corruption_rates, generate, write_parquet

CONTRACT = {
    "unique_id": pa.int64(),
    "source_system": pa.string(),
    "given_name": pa.string(),
    "middle_names": pa.string(),
    "family_name": pa.string(),
    "previous_family_names": pa.list_(pa.string()),
    "date_of_birth": pa.string(),
    "sex": pa.string(),
    "postcode": pa.string(),
    "address": pa.string(),
    "nhs_number": pa.string(),
    "upn": pa.string(),
    "cluster": pa.int64(),
}


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return generate(20_000, seed=7, truth=True)


@pytest.fixture(scope="module")
def rows(table: pa.Table) -> list[dict]:
    return table.to_pylist()


def test_the_same_seed_gives_the_same_records_and_another_seed_others() -> None:
    assert generate(3_000, seed=5).equals(generate(3_000, seed=5))
    assert not generate(3_000, seed=5).equals(generate(3_000, seed=6))


@pytest.mark.parametrize("records", [0, 1, 999, 4_321])
def test_exactly_the_records_asked_for_numbered_from_one(records: int) -> None:
    t = generate(records, seed=2)
    assert t.num_rows == records
    assert t["unique_id"].to_pylist() == list(range(1, records + 1))
    assert list(t.schema.names) == list(CONTRACT)


def test_columns_are_the_matchers_contract(table: pa.Table, rows: list[dict]) -> None:
    for name, type_ in CONTRACT.items():
        assert table.schema.field(name).type == type_, name
    assert set(table["source_system"].to_pylist()) == set(SYSTEMS)
    for row in rows:
        assert row["sex"] in {"M", "F", "U"}
        assert row["date_of_birth"] is None or re.fullmatch(
            r"\d{4}-\d{2}-\d{2}", row["date_of_birth"]
        )
        assert row["nhs_number"] == "" or re.fullmatch(r"\d{10}", row["nhs_number"])
        assert row["upn"] == "" or len(row["upn"]) == 13
        if row["postcode"] and not row["postcode_error"]:
            assert is_valid_postcode(row["postcode"]), row["postcode"]
        assert row["address"] and row["given_name"] and row["family_name"]


def test_one_record_per_person_per_system_and_two_to_three_a_person(rows: list[dict]) -> None:
    pairs = [(r["cluster"], r["source_system"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    sizes = np.unique([r["cluster"] for r in rows], return_counts=True)[1]
    assert sizes.max() <= 6
    assert 2.0 <= len(rows) / len(sizes) <= 3.0


def test_corruption_rates_land_near_the_ons_shaped_targets(table: pa.Table) -> None:
    rates = corruption_rates(table)
    assert rates["given_name"]["altered"] == pytest.approx(0.35, abs=0.015)
    assert rates["family_name"]["altered"] == pytest.approx(0.32, abs=0.015)
    assert rates["date_of_birth"]["altered"] == pytest.approx(0.15, abs=0.01)
    assert rates["postcode_beyond_movers"]["altered"] == pytest.approx(0.04, abs=0.006)
    assert 0.02 <= rates["moved"] <= 0.05
    for kind in ("nickname", "typo", "spelling", "initial", "middle_as_first"):
        assert rates["given_name"]["kinds"][kind] > 0.01, kind
    for kind in ("old_name", "double_barrel_dropped", "typo", "spelling"):
        assert rates["family_name"]["kinds"][kind] > 0.003, kind
    assert rates["sex"]["kinds"]["missing"] > 0.005


def test_every_recorded_alteration_really_alters_the_value(rows: list[dict]) -> None:
    for r in rows:
        given_changed = r["given_name"].lower() != r["true_given_name"].lower()
        assert given_changed == bool(r["given_name_error"]), r
        family_changed = r["family_name"].lower() != r["true_family_name"].lower()
        assert family_changed == bool(r["family_name_error"]), r
        dob_changed = r["date_of_birth"] != r["true_date_of_birth"]
        assert dob_changed == bool(r["date_of_birth_error"]), r
        if not r["moved"]:
            assert (r["postcode"] != r["true_postcode"]) == bool(r["postcode_error"]), r
        assert (r["sex"] != r["true_sex"]) == bool(r["sex_error"]), r


def test_nicknames_at_school_and_day_month_transposed_by_the_police(rows: list[dict]) -> None:
    def share(system: str, column: str, kind: str) -> float:
        of_system = [r for r in rows if r["source_system"] == system]
        return sum(r[column] == kind for r in of_system) / len(of_system)

    assert share("school", "given_name_error", "nickname") > 1.4 * share(
        "gp", "given_name_error", "nickname"
    )
    assert share("police", "date_of_birth_error", "day_month_transposed") > 3 * share(
        "gp", "date_of_birth_error", "day_month_transposed"
    )
    nickname = next(
        r for r in rows if r["true_given_name"] == "William" and r["given_name"] == "Bill"
    )
    assert nickname["given_name_error"] == "nickname"
    swapped = next(r for r in rows if r["date_of_birth_error"] == "day_month_transposed")
    y, m, d = swapped["true_date_of_birth"].split("-")
    assert swapped["date_of_birth"] == f"{y}-{d}-{m}"


def test_twins_share_surname_birthday_and_home_but_not_a_given_name(rows: list[dict]) -> None:
    twins: dict[tuple, set] = {}
    for r in rows:
        if r["twin"]:
            key = (r["household"], r["true_date_of_birth"])
            twins.setdefault(key, set()).add(
                (r["cluster"], r["true_given_name"], r["true_family_name"], r["true_postcode"])
            )
    pairs = [people for people in twins.values() if len(people) == 2]
    assert len(pairs) >= 20
    people = len({r["cluster"] for r in rows})
    assert 0.005 <= 2 * len(pairs) / people <= 0.05  # several in every 1,000 births, and more
    for (c1, g1, f1, p1), (c2, g2, f2, p2) in (sorted(p) for p in pairs):
        assert c1 != c2 and g1 != g2
        assert f1 == f2 and p1 == p2


def test_nhs_numbers_are_valid_test_numbers_except_the_deliberately_mistyped(
    rows: list[dict],
) -> None:
    owner: dict[str, int] = {}
    for r in rows:
        if r["true_nhs_number"]:
            assert owner.setdefault(r["true_nhs_number"], r["cluster"]) == r["cluster"]
    for r in rows:
        number, error = r["nhs_number"], r["nhs_number_error"]
        if error == "":
            assert number == r["true_nhs_number"]
            assert number == "" or (number.startswith("999") and is_valid_nhs_number(number))
        elif error == "missing":
            assert number == "" and r["true_nhs_number"]
        elif error == "mistyped_invalid":
            assert number != r["true_nhs_number"] and not is_valid_nhs_number(number)
        else:
            assert error == "mistyped_valid" and is_valid_nhs_number(number)
    mistyped = [r for r in rows if r["nhs_number_error"].startswith("mistyped")]
    assert len(mistyped) > 50
    # modulus 11 catches all but some double errors (0.7% expected)
    assert sum(r["nhs_number_error"] == "mistyped_valid" for r in mistyped) <= len(mistyped) * 0.05


def test_nhs_numbers_missing_in_most_housing_and_police_records_upns_only_in_schools_and_care(
    rows: list[dict],
) -> None:
    for system in ("housing", "police"):
        of_system = [r for r in rows if r["source_system"] == system]
        assert sum(r["nhs_number"] == "" for r in of_system) / len(of_system) > 0.75
    gp = [r for r in rows if r["source_system"] == "gp"]
    assert sum(r["nhs_number"] != "" for r in gp) / len(gp) > 0.95
    with_upn = [r for r in rows if r["upn"]]
    assert {r["source_system"] for r in with_upn} == {"school", "childrens_social_care"}
    assert all(is_valid_upn(r["upn"]) for r in with_upn)


def test_a_surname_change_leaves_the_old_name_in_some_systems_only(rows: list[dict]) -> None:
    by_person: dict[int, list[dict]] = {}
    for r in rows:
        by_person.setdefault(r["cluster"], []).append(r)
    changed = [
        records
        for records in by_person.values()
        if any(r["family_name_error"] == "old_name" for r in records)
        and any(r["family_name_error"] == "" for r in records)
    ]
    assert changed
    with_previous = [
        r
        for records in changed
        for r in records
        if r["previous_family_names"] and r["family_name_error"] == ""
    ]
    assert with_previous
    old_names = {r["family_name"] for records in changed for r in records if r["family_name_error"]}
    assert any(r["previous_family_names"][0] in old_names for r in with_previous)


def test_movers_have_their_previous_address_in_older_systems(rows: list[dict]) -> None:
    movers = [r for r in rows if r["moved"]]
    assert movers
    assert all(r["postcode"] != r["true_postcode"] for r in movers if not r["postcode_error"])
    police = sum(r["moved"] for r in rows if r["source_system"] == "police")
    housing = sum(r["moved"] for r in rows if r["source_system"] == "housing")
    assert police > housing


def test_surnames_follow_a_frequency_distribution(rows: list[dict]) -> None:
    people = {r["cluster"]: r["true_family_name"] for r in rows}
    names, counts = np.unique(list(people.values()), return_counts=True)
    share = dict(zip(names, counts / len(people), strict=True))
    assert 0.005 < share["Smith"] < 0.02
    assert (counts == 1).sum() > 100  # a long tail of rare names


def test_streaming_in_chunks_writes_the_same_records_as_generate(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(synthetic, "CHUNK_HOUSEHOLDS", 200)
    path = tmp_path / "records.parquet"
    people = write_parquet(path, 5_000, seed=3)
    written = pq.read_table(path)
    assert pq.ParquetFile(path).num_row_groups > 1
    assert written.equals(generate(5_000, seed=3))
    assert people == len(set(written["cluster"].to_pylist()))


def test_true_pairs_match_the_cluster_sizes(table: pa.Table) -> None:
    sizes = np.unique(table["cluster"].to_numpy(), return_counts=True)[1]
    expected = int((sizes * (sizes - 1) // 2).sum())
    assert true_pair_count(table["cluster"]) == expected
    pairs = true_pairs(table)
    assert len(pairs) == expected
    assert all(a < b for a, b in pairs)


TINY_TRUTH = pa.table(
    {"unique_id": [1, 2, 3, 4, 5, 6, 7, 8], "cluster": [10, 10, 10, 20, 20, 30, 40, 40]}
)  # true pairs: (1,2) (1,3) (2,3) (4,5) (7,8)


def test_metrics_on_a_hand_made_example() -> None:
    predicted = links_table(
        [(1, 2), (5, 4), (5, 6), (2, 3), (7, 8), (3, 4), (2, 1)],
        ["link", "link", "link", "review", "review", "review", "review"],
    )
    m = evaluate_clusters(predicted, TINY_TRUTH)
    assert m["true_pairs"] == 5
    assert m["counts"] == {"link": 3, "review": 3}  # (2,1) repeats the link (1,2)
    assert (m["link_pairs_true"], m["link_pairs_false"]) == (2, 1)
    assert (m["review_pairs_true"], m["review_pairs_false"]) == (2, 1)
    # The links make {1,2} and {4,5,6}: 4 pairs joined, 2 of them true.
    assert m["precision"] == pytest.approx(0.5)
    assert m["pairwise_precision"] == pytest.approx(2 / 3)
    # With the true reviews accepted: {1,2,3}, {4,5,6}, {7,8} join all 5 true pairs.
    assert m["recall"] == pytest.approx(1.0)
    assert m["recall_links_only"] == pytest.approx(2 / 5)
    assert m["pairwise_recall"] == pytest.approx(4 / 5)
    assert m["f1"] == pytest.approx(2 * 0.5 * 1.0 / 1.5)
    assert m["review_share"] == pytest.approx(3 / 8)
    assert not m["meets_targets"]


def test_perfect_links_meet_the_targets_and_no_links_find_nothing() -> None:
    perfect = evaluate_clusters(links_table([(1, 2), (2, 3), (4, 5), (8, 7)]), TINY_TRUTH)
    assert perfect["precision"] == perfect["recall"] == perfect["f1"] == 1.0
    assert perfect["review_share"] == 0.0 and perfect["meets_targets"]
    nothing = evaluate_clusters(links_table([]), TINY_TRUTH)
    assert nothing["precision"] == 1.0 and nothing["recall"] == 0.0


def test_metrics_refuse_unknown_outcomes_and_records() -> None:
    with pytest.raises(ValueError, match="Outcomes"):
        evaluate_clusters(links_table([(1, 2)], "maybe"), TINY_TRUTH)
    with pytest.raises(ValueError, match="missing from the truth"):
        evaluate_clusters(links_table([(1, 99)]), TINY_TRUTH)


def test_the_command_writes_a_parquet_file(tmp_path) -> None:
    out = io.StringIO()
    path = tmp_path / "synthetic.parquet"
    call_command("link_synthesise", records=2_000, seed=4, output=path, stdout=out)
    assert pq.read_table(path).equals(generate(2_000, seed=4))
    assert "2,000 records" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("link_synthesise", records=10, output=tmp_path / "no" / "such.parquet")
