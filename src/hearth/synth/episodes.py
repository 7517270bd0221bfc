"""Statutory episodes over a family's history, calibrated to England 2024-25.

Referrals arrive for a whole sibling group at a rate set by the family's tier of need; each one runs
through the CIN census stages (referral, assessment, s47, CP plan, CIN plan, looked after) and closes
with an RC code before the next can arrive. `calibration.py` measures the result against the
national figures; the constants below were tuned with it.
"""

import json
import random
from dataclasses import dataclass, field
from math import log

from hearth.synth.families import YEAR, Counter, SynthFamily
from hearth.synth.population import iso, iso_or_none

# Referrals a year per family, by tier (0 universal, 1 additional need, 2 chronic neglect).
REFERRAL_RATE = (0.0089, 0.111, 0.345)
EARLY_HELP_RATE = (0.0, 0.12, 0.1)
NEGLECT_SHARE = (0.32, 0.42, 0.56)

REFERRAL_SOURCES = (
    ("6", 29),
    ("2A", 20),
    ("3A", 4),
    ("3B", 3),
    ("3C", 2),
    ("3E", 4),
    ("3F", 3),
    ("4", 2),
    ("5A", 4),
    ("5B", 3),
    ("5D", 4),
    ("1A", 6),
    ("1C", 1),
    ("1D", 3),
    ("7", 2),
    ("8", 4),
    ("9", 2),
    ("10", 1),
)
SOURCE_CODES = tuple(c for c, _ in REFERRAL_SOURCES)
SOURCE_WEIGHTS = tuple(w for _, w in REFERRAL_SOURCES)
PRIMARY_NEEDS = (
    ("N1", 58),
    ("N2", 3),
    ("N3", 4),
    ("N4", 10),
    ("N5", 15),
    ("N6", 3),
    ("N7", 1),
    ("N8", 3),
    ("N0", 3),
)
NEED_CODES = tuple(c for c, _ in PRIMARY_NEEDS)
NEED_WEIGHTS = tuple(w for _, w in PRIMARY_NEEDS)
OTHER_CATEGORIES = (("EMO", 62), ("PHY", 16), ("SAB", 8), ("MUL", 14))
LAC_END_REASONS = (("RC1", 15), ("RC3", 25), ("RC4", 25), ("RC7", 35))
FACTORS = {
    "NEG": ("16A",),
    "EMO": ("3A", "3B", "4B"),
    "PHY": ("18B",),
    "SAB": ("19B",),
    "MUL": ("16A", "3B", "2B"),
}
PARENT_FACTORS = ("1B", "2B", "3B", "4B", "5B", "6B")


@dataclass(slots=True)
class CaseEvent:
    """A dated step of casework that the chronology records (referral, conference, closure...)."""

    day: int
    code: str
    child_ids: tuple[int, ...]
    agency: str = "csc"


@dataclass(slots=True)
class FamilyEpisodes:
    rows: list[tuple] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)
    # child id -> (start, end or None, lead agency type, is CSC) for involvements
    involvements: list[tuple[int, int, int | None, str]] = field(default_factory=list)


def _lognormal_days(rng: random.Random, median: float, sigma: float) -> int:
    return max(1, int(rng.lognormvariate(log(median), sigma)))


class EpisodeBuilder:
    def __init__(self, *, as_of: int, episode_ids: Counter, agency_ids: dict[str, int]) -> None:
        self.as_of = as_of
        self.ids = episode_ids
        self.csc = agency_ids["csc"]
        self.early_help = agency_ids["early_help"]

    def _row(
        self,
        out: FamilyEpisodes,
        *,
        kind: str,
        child: int,
        referral: int | None,
        start: int,
        end: int | None,
        end_reason: str = "",
        lead: int | None = None,
        **extra: object,
    ) -> int | None:
        """Append an episode row unless it starts after the census date; open if it ends after it."""
        if start > self.as_of:
            return None
        if end is not None and end > self.as_of:
            end, end_reason = None, ""
        episode_id = self.ids.take()
        out.rows.append(
            (
                episode_id,
                kind,
                child,
                referral,
                lead or self.csc,
                iso(start),
                iso_or_none(end),
                end_reason,
                extra.get("referral_source", ""),
                extra.get("primary_need", ""),
                extra.get("referral_nfa"),
                extra.get("screening_status", ""),
                iso_or_none(extra.get("authorisation_date")),  # type: ignore[arg-type]
                extra.get("factors", "[]"),
                iso_or_none(extra.get("initial_cpc_target")),  # type: ignore[arg-type]
                iso_or_none(extra.get("initial_cpc_date")),  # type: ignore[arg-type]
                extra.get("icpc_not_required"),
                extra.get("initial_category", ""),
                extra.get("latest_category", ""),
                extra.get("number_of_previous_cpp"),
                extra.get("review_dates", "[]"),
                "",
                "",
            )
        )
        return episode_id

    def build(
        self, rng: random.Random, fam: SynthFamily, out: FamilyEpisodes | None = None
    ) -> FamilyEpisodes:
        out = out or FamilyEpisodes()
        if not fam.children:
            return out
        previous_cpp: dict[int, int] = {}
        rate = REFERRAL_RATE[fam.tier]
        t = float(fam.children[0].dob)
        last_child_adult = fam.children[-1].dob + 18 * YEAR
        while True:
            t += rng.expovariate(rate) * YEAR
            if t > self.as_of or t > last_child_adult:
                break
            day = int(t)
            kids = tuple(c.id for c in fam.children if c.dob <= day < c.dob + 18 * YEAR)
            if not kids:
                continue
            closed = self._referral(rng, fam, out, day, kids, previous_cpp)
            if closed is None:
                break
            t = float(closed + rng.randint(7, 120))
        self._early_help(rng, fam, out)
        return out

    def _early_help(self, rng: random.Random, fam: SynthFamily, out: FamilyEpisodes) -> None:
        rate = EARLY_HELP_RATE[fam.tier]
        if not rate:
            return
        t = float(fam.children[0].dob)
        while True:
            t += rng.expovariate(rate) * YEAR
            if t > self.as_of:
                return
            day = int(t)
            kids = tuple(c.id for c in fam.children if c.dob <= day < c.dob + 18 * YEAR)
            end = day + rng.randint(60, 360)
            for kid in kids:
                self._row(
                    out,
                    kind="early_help",
                    child=kid,
                    referral=None,
                    start=day,
                    end=end,
                    end_reason="Support ended",
                    lead=self.early_help,
                )
                out.involvements.append(
                    (kid, day, end if end <= self.as_of else None, "early_help")
                )
            if kids:
                out.events.append(CaseEvent(day, "early-help-started", kids, "early_help"))
            t = float(end)

    def _referral(
        self,
        rng: random.Random,
        fam: SynthFamily,
        out: FamilyEpisodes,
        day: int,
        kids: tuple[int, ...],
        previous_cpp: dict[int, int],
    ) -> int | None:
        """One referral of a sibling group through to closure; returns the closure day (None: still open)."""
        as_of = self.as_of
        source = rng.choices(SOURCE_CODES, SOURCE_WEIGHTS)[0]
        need = rng.choices(NEED_CODES, NEED_WEIGHTS)[0]
        out.events.append(CaseEvent(day, "referral-received", kids))
        if as_of - day < 6 and rng.random() < 0.6:
            for kid in kids:  # at the front door now
                self._row(
                    out,
                    kind="referral",
                    child=kid,
                    referral=None,
                    start=day,
                    end=None,
                    referral_source=source,
                    primary_need=need,
                    screening_status="screening",
                )
            return None
        roll = rng.random()
        nfa = roll < 0.08
        a_start = day + rng.randint(1, 5)
        a_end = a_start + rng.randint(8, 45)
        category = (
            "NEG"
            if rng.random() < NEGLECT_SHARE[fam.tier]
            else rng.choices([c for c, _ in OTHER_CATEGORIES], [w for _, w in OTHER_CATEGORIES])[0]
        )
        factors = list(FACTORS[category]) + rng.sample(PARENT_FACTORS, rng.randint(0, 2))
        # Decide the path and its dates once for the sibling group.
        path = (
            "nfa" if nfa else rng.choices(("nin", "cin", "s47"), (45, 40, (8, 12, 30)[fam.tier]))[0]
        )
        s47_start = day + rng.randint(0, 7)
        icpc = s47_start + rng.randint(8, 15)
        to_cp = path == "s47" and rng.random() < 0.3 + 0.1 * fam.tier
        cp_days = (
            rng.randint(30, 89) if rng.random() < 0.2 else max(91, _lognormal_days(rng, 330, 0.5))
        )
        cp_end = icpc + cp_days
        looked_after = to_cp and rng.random() < 0.08
        lac_end = cp_end + int(rng.uniform(0.5, 6) * YEAR)
        step_down = cp_end + rng.randint(60, 270) if rng.random() < 0.6 else cp_end
        non_engagement = fam.tier == 2 and rng.random() < 0.35
        cin_start = icpc if path == "s47" else a_end
        cin_days = _lognormal_days(rng, 300, 0.8)
        if non_engagement:
            cin_days = min(cin_days, rng.randint(40, 120))
        if path == "nfa":
            close, reason = day + rng.randint(0, 3), "RC8"
        elif path == "nin":
            close, reason = a_end, "RC8"
        elif to_cp:
            close = lac_end if looked_after else step_down
            reason = (
                rng.choices([c for c, _ in LAC_END_REASONS], [w for _, w in LAC_END_REASONS])[0]
                if looked_after
                else "RC7"
            )
        else:
            close, reason = cin_start + cin_days, "RC7"
        if reason == "RC7" and rng.random() < 0.04:
            reason = "RC5"
        for kid in kids:
            referral = self._row(
                out,
                kind="referral",
                child=kid,
                referral=None,
                start=day,
                end=close,
                end_reason=reason,
                referral_source=source,
                primary_need=need,
                referral_nfa=nfa,
                screening_status="decided",
            )
            if nfa:
                continue
            auth = a_end if a_end <= as_of else None
            self._row(
                out,
                kind="assessment",
                child=kid,
                referral=referral,
                start=a_start,
                end=auth,
                authorisation_date=auth,
                factors=json.dumps(factors),
            )
            if path == "s47":
                self._row(
                    out,
                    kind="s47",
                    child=kid,
                    referral=referral,
                    start=s47_start,
                    end=icpc,
                    initial_cpc_target=s47_start + 15,
                    initial_cpc_date=icpc if to_cp else None,
                    icpc_not_required=not to_cp,
                )
            if to_cp:
                latest = category if rng.random() < 0.92 else "MUL"
                reviews = [
                    icpc + 90 + 180 * i
                    for i in range(8)
                    if icpc + 90 + 180 * i < min(cp_end, as_of)
                ]
                self._row(
                    out,
                    kind="cp_plan",
                    child=kid,
                    referral=referral,
                    start=icpc,
                    end=cp_end,
                    initial_category=category,
                    latest_category=latest,
                    number_of_previous_cpp=previous_cpp.get(kid, 0),
                    review_dates=json.dumps([iso(r) for r in reviews]),
                )
                previous_cpp[kid] = previous_cpp.get(kid, 0) + 1
                if looked_after:
                    self._row(
                        out,
                        kind="looked_after",
                        child=kid,
                        referral=referral,
                        start=cp_end,
                        end=lac_end,
                        end_reason=reason,
                    )
                elif step_down > cp_end:
                    self._row(
                        out,
                        kind="cin_plan",
                        child=kid,
                        referral=referral,
                        start=cp_end,
                        end=step_down,
                        end_reason="RC7",
                    )
            elif path in ("cin", "s47"):
                self._row(
                    out,
                    kind="cin_plan",
                    child=kid,
                    referral=referral,
                    start=cin_start,
                    end=close,
                    end_reason=reason,
                )
            out.involvements.append((kid, day, close if close <= as_of else None, "csc"))
        self._case_events(
            rng, out, kids, path, day, a_end, s47_start, icpc, to_cp, cp_end, close, non_engagement
        )
        return close if close <= as_of else None

    def _case_events(
        self,
        rng: random.Random,
        out: FamilyEpisodes,
        kids: tuple[int, ...],
        path: str,
        day: int,
        a_end: int,
        s47_start: int,
        icpc: int,
        to_cp: bool,
        cp_end: int,
        close: int,
        non_engagement: bool,
    ) -> None:
        add = out.events.append
        if path != "nfa":
            add(CaseEvent(a_end, "assessment-completed", kids))
            add(CaseEvent(day + rng.randint(2, 20), "home-visit", kids))
        if path == "s47":
            add(CaseEvent(s47_start, "strategy-discussion", kids))
            add(CaseEvent(s47_start, "strategy-discussion", kids, "police"))
            add(CaseEvent(s47_start + 2, "child-seen-alone", kids))
        if to_cp:
            add(CaseEvent(icpc, "icpc", kids))
            add(CaseEvent(icpc, "plan-started", kids))
            visit = icpc + rng.randint(5, 15)
            while visit < min(cp_end, self.as_of):
                add(
                    CaseEvent(
                        visit,
                        rng.choice(("home-visit", "home-visit", "core-group", "child-seen-alone")),
                        kids,
                    )
                )
                visit += rng.randint(14, 45)
            review = icpc + 90
            while review < cp_end:
                add(CaseEvent(review, "cp-review", kids))
                review += 180
            add(CaseEvent(cp_end, "plan-ended", kids))
        elif path == "cin":
            add(CaseEvent(a_end, "plan-started", kids))
            add(CaseEvent(close, "plan-ended", kids))
        if non_engagement:
            add(CaseEvent(close, "closed-non-engagement", kids))
