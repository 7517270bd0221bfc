"""Synthetic CIN census returns, for tests, the benchmark and demonstrations. Never real data.

Children get LA child IDs `SYN000001…`, UPNs with valid check letters in a made-up range,
and one to three episodes each shaped like the generator's (referral, assessment, then a CIN plan
or a section 47 enquiry and a child protection plan), all consistent with the validation rules.
"""

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from hearth.episodes.models import EpisodeKind
from hearth.interop.census import ChildRecord, EpisodeRecord
from hearth.interop.writer import reference_date, write_census
from hearth.lib.identifiers import upn_check_letter
from hearth.people.models import DatePrecision

ETHNICITIES = ("WBRI", "WBRI", "WBRI", "WOTH", "MWBC", "AIND", "BAFR", "OOTH", "NOBT")
SOURCES = ("1A", "2A", "3A", "3B", "5A", "6", "6", "8")
NEEDS = ("N1", "N1", "N1", "N2", "N4", "N5", "N8")
CATEGORIES = ("NEG", "NEG", "EMO", "PHY", "SAB", "MUL")


def synthetic_upn(n: int) -> str:
    body = f"938{n % 10**8:08d}" + "A"  # a final letter: a temporary UPN, never a real one
    return upn_check_letter(body) + body


def synthetic_child(
    n: int, rng: random.Random, *, year: int, la_child_id: str | None = None
) -> ChildRecord:
    la_child_id = la_child_id or f"SYN{n:06d}"
    end_of_year = reference_date(year)
    born = end_of_year - timedelta(days=rng.randint(200, 17 * 365))
    person: dict[str, Any] = {
        "date_of_birth": born,
        "date_of_birth_precision": DatePrecision.EXACT,
        "sex": rng.choice("MMFFU"[:4] if rng.random() < 0.98 else "U"),
        "ethnicity": rng.choice(ETHNICITIES),
        "disabilities": ["NONE"] if rng.random() < 0.9 else ["LD", "COMM"],
    }
    if rng.random() < 0.8:
        person["upn"] = synthetic_upn(n)
    else:
        person["upn_unknown_reason"] = "UN1"
    referrals = []
    day = max(born + timedelta(days=30), end_of_year - timedelta(days=rng.randint(60, 900)))
    for k in range(rng.choice((1, 1, 2, 3))):
        referral, closed = _episode(la_child_id, day, end_of_year, rng, last=k == 2)
        referrals.append(referral)
        if closed is None or closed + timedelta(days=30) >= end_of_year:
            break
        day = closed + timedelta(days=rng.randint(14, 120))
        if day >= end_of_year:
            break
    return ChildRecord(
        index=n, la_child_id=la_child_id, path="", person=person, referrals=referrals
    )


def _episode(
    la_child_id: str, day: date, end_of_year: date, rng: random.Random, *, last: bool
) -> tuple[EpisodeRecord, date | None]:
    prefix = f"{la_child_id}/{day.isoformat()}"
    assess = day + timedelta(days=rng.randint(0, 5))
    authorised = assess + timedelta(days=rng.randint(5, 40))
    path = rng.choices(("nfa", "cin", "cp"), (10, 60, 30))[0]
    open_ = last or rng.random() < 0.25
    subs = []
    if path == "nfa":
        closed: date | None = day + timedelta(days=rng.randint(0, 3))
    else:
        subs.append(
            EpisodeRecord(
                kind=EpisodeKind.ASSESSMENT,
                reference=f"{prefix}/assessment/1",
                path="",
                fields={
                    "start_date": assess,
                    "internal_review_date": None,
                    "authorisation_date": authorised,
                    "end_date": authorised,
                    "factors": ["16A"] if rng.random() < 0.6 else ["3A", "2B"],
                },
            )
        )
        plan_start = authorised + timedelta(days=rng.randint(0, 10))
        plan_end = plan_start + timedelta(days=rng.randint(60, 400))
        if path == "cp":
            s47 = assess + timedelta(days=rng.randint(0, 3))
            icpc = s47 + timedelta(days=rng.randint(5, 15))
            subs.append(
                EpisodeRecord(
                    kind=EpisodeKind.SECTION_47,
                    reference=f"{prefix}/s47/1",
                    path="",
                    fields={
                        "start_date": s47,
                        "initial_cpc_target": s47 + timedelta(days=15),
                        "initial_cpc_date": icpc,
                        "icpc_not_required": False,
                        "end_date": icpc,
                    },
                )
            )
            plan_start = icpc
            plan_end = icpc + timedelta(days=rng.randint(90, 500))
        closed = plan_end + timedelta(days=rng.randint(0, 30))
        if open_ or closed >= end_of_year:
            closed, plan_end_or_none = None, None
        else:
            plan_end_or_none = plan_end
        if path == "cp":
            reviews = [
                (plan_start + timedelta(days=90 + 180 * i)).isoformat()
                for i in range(4)
                if plan_start + timedelta(days=90 + 180 * i) < (plan_end_or_none or end_of_year)
            ]
            category = rng.choice(CATEGORIES)
            subs.append(
                EpisodeRecord(
                    kind=EpisodeKind.CP_PLAN,
                    reference=f"{prefix}/cp_plan/1",
                    path="",
                    fields={
                        "start_date": plan_start,
                        "end_date": plan_end_or_none,
                        "initial_category": category,
                        "latest_category": category if rng.random() < 0.9 else "MUL",
                        "number_of_previous_cpp": rng.choice((0, 0, 0, 1)),
                        "review_dates": reviews,
                    },
                )
            )
        else:
            subs.append(
                EpisodeRecord(
                    kind=EpisodeKind.CIN_PLAN,
                    reference=f"{prefix}/cin_plan/1",
                    path="",
                    fields={"start_date": plan_start, "end_date": plan_end_or_none},
                )
            )
    if closed is not None and closed > end_of_year:
        closed = None
    referral = EpisodeRecord(
        kind=EpisodeKind.REFERRAL,
        reference=f"{prefix}/referral/1",
        path="",
        fields={
            "start_date": day,
            "end_date": closed,
            "end_reason": ("RC8" if path == "nfa" else "RC7") if closed else "",
            "referral_source": rng.choice(SOURCES),
            "primary_need": rng.choice(NEEDS),
            "referral_nfa": path == "nfa",
            "initial_cpc_date": None,
        },
        subs=subs,
    )
    return referral, closed


def synthetic_children(count: int, *, year: int = 2025, seed: int = 7) -> Iterator[ChildRecord]:
    rng = random.Random(seed)
    for n in range(1, count + 1):
        yield synthetic_child(n, rng, year=year)


def write_synthetic_census(
    path: Path, count: int, *, year: int = 2025, seed: int = 7, lea: str = "938"
) -> int:
    with path.open("wb") as out:
        return write_census(
            out,
            synthetic_children(count, year=year, seed=seed),
            year=year,
            lea=lea,
            when=datetime(year, 4, 10, 9, 0),  # noqa: DTZ001 - the census's DateTime is local, naive
        )
