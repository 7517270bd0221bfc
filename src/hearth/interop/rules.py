"""The CIN census validation rules Hearth applies beyond the schema.

Each rule is a small class: a short `code`, a docstring that is the text a person reads when the
rule fails, and `check`, which yields a Problem for every place a child's record breaks it. The
rules follow the DfE's CIN census validation rules that matter for a consistent record; the code
lists come from Hearth's own models, so the importer and the models can never disagree.
They run on a child that has already matched the schema (cin_census.xsd), so dates are dates.
"""

import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import ClassVar

from hearth.episodes.models import AbuseCategory, PrimaryNeed, ReferralSource
from hearth.interop.census_xml import Node
from hearth.interop.problems import Problem
from hearth.lib.identifiers import is_valid_upn
from hearth.people.models import Disability, Ethnicity, GenderCurrent, Sex

CLOSURE_REASONS = tuple(f"RC{i}" for i in range(1, 9))
UPN_UNKNOWN_REASONS = tuple(f"UN{i}" for i in range(1, 11))
# Factors identified at the end of assessment (CIN census guide, "AssessmentFactors").
ASSESSMENT_FACTORS = (
    *("1A", "1B", "1C", "2A", "2B", "2C", "3A", "3B", "3C", "4A", "4B", "4C"),
    *("5A", "5B", "5C", "6A", "6B", "6C", "7A", "8B", "8C", "8D", "8E", "8F"),
    *("9A", "10A", "11A", "12A", "13A", "14A", "15A", "16A", "17A", "18A", "18B", "18C"),
    *("19A", "19B", "19C", "20", "21", "22A", "23A", "24A"),
)
LA_CHILD_ID = re.compile(r"[A-Za-z0-9]{1,10}")
FAR_FUTURE = date.max


class Rule:
    code: ClassVar[str]

    @classmethod
    def text(cls) -> str:
        return " ".join((cls.__doc__ or "").split())

    def problem(self, child: str, path: str, value: object, detail: str = "") -> Problem:
        message = self.text() + (f" {detail}" if detail else "")
        text = "" if value is None else str(value)
        return Problem(child=child, path=path, value=text, rule=self.code, message=message)

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        raise NotImplementedError


def _identifiers(child: Node) -> Node:
    node = child.first("ChildIdentifiers")
    assert node is not None  # the schema requires it
    return node


def _episodes(child: Node) -> list[Node]:
    return child.all("CINdetails")


class LAChildIDFormat(Rule):
    """The LA child ID (LAchildID) must be 1 to 10 letters or digits, with no spaces or other
    characters."""

    code = "LA_CHILD_ID_FORMAT"

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        ids = _identifiers(child)
        value = ids.value("LAchildID")
        if not LA_CHILD_ID.fullmatch(value):
            yield self.problem(la_child_id, ids.path_of("LAchildID"), value)


class UPNCheckLetter(Rule):
    """A UPN (and a former UPN) must be 13 characters: a check letter that matches the other
    twelve, eleven digits, then a digit or letter."""

    code = "UPN_CHECK_LETTER"

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        ids = _identifiers(child)
        for tag in ("UPN", "FormerUPN"):
            value = ids.value(tag)
            if value and not is_valid_upn(value):
                yield self.problem(la_child_id, ids.path_of(tag), value)


class BirthDatePresent(Rule):
    """A child must have a date of birth (PersonBirthDate) or, if not yet born, an expected date
    of birth (ExpectedPersonBirthDate)."""

    code = "BIRTH_DATE_PRESENT"

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        ids = _identifiers(child)
        if not ids.value("PersonBirthDate") and not ids.value("ExpectedPersonBirthDate"):
            yield self.problem(la_child_id, ids.path_of("PersonBirthDate"), "")


class _CodeRule(Rule):
    """Base for a rule that checks elements hold one of a list of codes."""

    codes: ClassVar[Iterable[str]]

    def places(self, child: Node) -> Iterator[Node]:
        raise NotImplementedError

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        allowed = set(self.codes)
        for node in self.places(child):
            if node.text not in allowed:
                yield self.problem(la_child_id, node.path, node.text, f"'{node.text}' is not one.")


def _leaves(nodes: Iterable[Node], *path: str) -> Iterator[Node]:
    """Every element at `path` below each of `nodes`."""
    for node in nodes:
        if not path:
            yield node
            continue
        yield from _leaves(node.all(path[0]), *path[1:])


class SexCode(_CodeRule):
    """Sex must be M (male), F (female) or U (not known); in returns before 2024-25,
    GenderCurrent must be 0 (not known), 1 (male), 2 (female) or 9 (not specified)."""

    code = "CODE_SEX"
    codes = ()

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        ids = _identifiers(child)
        for tag, allowed in (("Sex", Sex.values), ("GenderCurrent", GenderCurrent.values)):
            node = ids.first(tag)
            if node is not None and node.text not in allowed:
                yield self.problem(la_child_id, node.path, node.text, f"'{node.text}' is not one.")


class UPNUnknownCode(_CodeRule):
    """The reason a UPN is not known (UPNunknown) must be one of the codes UN1 to UN10."""

    code = "CODE_UPN_UNKNOWN"
    codes = UPN_UNKNOWN_REASONS

    def places(self, child: Node) -> Iterator[Node]:
        return _leaves([child], "ChildIdentifiers", "UPNunknown")


class EthnicityCode(_CodeRule):
    """Ethnicity must be one of the DfE's ethnicity codes (WBRI, WIRI, … REFU, NOBT)."""

    code = "CODE_ETHNICITY"
    codes = Ethnicity.values

    def places(self, child: Node) -> Iterator[Node]:
        return _leaves([child], "ChildCharacteristics", "Ethnicity")


class DisabilityCode(_CodeRule):
    """Each disability must be one of the DfE's disability codes (NONE, MOB, HAND, PC, INC,
    COMM, LD, HEAR, VIS, BEH, CON, AUT, DDA)."""

    code = "CODE_DISABILITY"
    codes = Disability.values

    def places(self, child: Node) -> Iterator[Node]:
        return _leaves([child], "ChildCharacteristics", "Disabilities", "Disability")


class ReferralSourceCode(_CodeRule):
    """The referral source must be one of the DfE's codes (1A–1D, 2A, 2B, 3A–3F, 4, 5A–5D, 6, 7,
    8, 9, 10)."""

    code = "CODE_REFERRAL_SOURCE"
    codes = ReferralSource.values

    def places(self, child: Node) -> Iterator[Node]:
        return _leaves(_episodes(child), "ReferralSource")


class PrimaryNeedCodeRule(_CodeRule):
    """The primary need must be one of the codes N0 to N9."""

    code = "CODE_PRIMARY_NEED"
    codes = PrimaryNeed.values

    def places(self, child: Node) -> Iterator[Node]:
        return _leaves(_episodes(child), "PrimaryNeedCode")


class ClosureReasonCode(_CodeRule):
    """The reason for closure must be one of the codes RC1 to RC8."""

    code = "CODE_CLOSURE_REASON"
    codes = CLOSURE_REASONS

    def places(self, child: Node) -> Iterator[Node]:
        return _leaves(_episodes(child), "ReasonForClosure")


class CategoryOfAbuseCode(_CodeRule):
    """The initial and latest category of abuse of a child protection plan must be NEG (neglect),
    PHY (physical), EMO (emotional), SAB (sexual) or MUL (multiple)."""

    code = "CODE_CATEGORY"
    codes = AbuseCategory.values

    def places(self, child: Node) -> Iterator[Node]:
        plans = list(_leaves(_episodes(child), "ChildProtectionPlans"))
        yield from _leaves(plans, "InitialCategoryOfAbuse")
        yield from _leaves(plans, "LatestCategoryOfAbuse")


class AssessmentFactorCode(_CodeRule):
    """Each factor identified at assessment must be one of the DfE's codes (1A … 24A; 16A is
    neglect)."""

    code = "CODE_FACTOR"
    codes = ASSESSMENT_FACTORS

    def places(self, child: Node) -> Iterator[Node]:
        return _leaves(
            _episodes(child), "Assessments", "FactorsIdentifiedAtAssessment", "AssessmentFactors"
        )


class ClosureDateWithReason(Rule):
    """A closed episode needs both a closure date (CINclosureDate) and a reason for closure
    (ReasonForClosure): one without the other is not allowed."""

    code = "CLOSURE_DATE_AND_REASON"

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        for episode in _episodes(child):
            closed, reason = episode.value("CINclosureDate"), episode.value("ReasonForClosure")
            if closed and not reason:
                yield self.problem(
                    la_child_id, episode.path_of("ReasonForClosure"), "", f"Closed on {closed}."
                )
            elif reason and not closed:
                yield self.problem(la_child_id, episode.path_of("CINclosureDate"), "", reason)


class EndAfterStart(Rule):
    """An end date cannot be before its start: the closure date before the referral date, or a
    CIN plan or child protection plan ending before it started."""

    code = "DATES_END_AFTER_START"

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        for episode in _episodes(child):
            pairs = [(episode, "CINreferralDate", "CINclosureDate")]
            pairs += [
                (p, "CINPlanStartDate", "CINPlanEndDate") for p in episode.all("CINPlanDates")
            ]
            pairs += [
                (p, "CPPstartDate", "CPPendDate") for p in episode.all("ChildProtectionPlans")
            ]
            for node, start_tag, end_tag in pairs:
                start, end = node.date(start_tag), node.date(end_tag)
                if start and end and end < start:
                    yield self.problem(
                        la_child_id, node.path_of(end_tag), end, f"It starts on {start}."
                    )


class AssessmentAfterReferral(Rule):
    """An assessment cannot start before the referral it belongs to (CINreferralDate ≤
    AssessmentActualStartDate)."""

    code = "DATES_ASSESSMENT_AFTER_REFERRAL"

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        for episode in _episodes(child):
            referred = episode.date("CINreferralDate")
            for assessment in episode.all("Assessments"):
                started = assessment.date("AssessmentActualStartDate")
                if referred and started and started < referred:
                    yield self.problem(
                        la_child_id,
                        assessment.path_of("AssessmentActualStartDate"),
                        started,
                        f"The referral was on {referred}.",
                    )


class AuthorisationAfterAssessment(Rule):
    """An assessment cannot be authorised before it started (AssessmentActualStartDate ≤
    AssessmentAuthorisationDate)."""

    code = "DATES_AUTHORISATION_AFTER_START"

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        for assessment in _leaves(_episodes(child), "Assessments"):
            started = assessment.date("AssessmentActualStartDate")
            authorised = assessment.date("AssessmentAuthorisationDate")
            if started and authorised and authorised < started:
                yield self.problem(
                    la_child_id,
                    assessment.path_of("AssessmentAuthorisationDate"),
                    authorised,
                    f"The assessment started on {started}.",
                )


class PlanAfterReferral(Rule):
    """A child protection plan cannot start before the referral it belongs to (CPPstartDate on or
    after CINreferralDate)."""

    code = "DATES_CPP_AFTER_REFERRAL"

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        for episode in _episodes(child):
            referred = episode.date("CINreferralDate")
            for plan in episode.all("ChildProtectionPlans"):
                started = plan.date("CPPstartDate")
                if referred and started and started < referred:
                    yield self.problem(
                        la_child_id,
                        plan.path_of("CPPstartDate"),
                        started,
                        f"The referral was on {referred}.",
                    )


class OneOpenEpisode(Rule):
    """A child can have at most one open episode (a CINdetails without a closure date)."""

    code = "ONE_OPEN_EPISODE"

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        open_ = [e for e in _episodes(child) if not e.value("CINclosureDate")]
        for episode in open_[1:]:
            yield self.problem(
                la_child_id,
                episode.path_of("CINreferralDate"),
                episode.value("CINreferralDate"),
                f"{len(open_)} episodes are open.",
            )


def _overlaps(
    spans: list[tuple[date, date | None, Node]],
) -> Iterator[tuple[Node, Node, date | None]]:
    """Each span that starts before an earlier one ended: (that earlier one, this one, its end)."""
    latest: tuple[date, Node, date | None] | None = None  # the furthest end so far
    for start, end, node in sorted(spans, key=lambda s: s[0]):
        if latest is not None and start < latest[0]:
            yield latest[1], node, latest[2]
        reach = end or FAR_FUTURE
        if latest is None or reach > latest[0]:
            latest = (reach, node, end)


class NoOverlappingEpisodes(Rule):
    """A child's episodes cannot overlap: a referral must come after the previous episode was
    closed."""

    code = "EPISODES_OVERLAP"

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        spans = []
        for episode in _episodes(child):
            start = episode.date("CINreferralDate")
            if start:
                spans.append((start, episode.date("CINclosureDate"), episode))
        for first, second, end in _overlaps(spans):
            yield self.problem(
                la_child_id,
                second.path_of("CINreferralDate"),
                second.value("CINreferralDate"),
                f"The episode referred on {first.value('CINreferralDate')} "
                + (f"was not closed until {end}." if end else "is still open."),
            )


class NoOverlappingPlans(Rule):
    """A child's child protection plans cannot overlap: a plan must start after the previous plan
    ended."""

    code = "CPP_OVERLAP"

    def check(self, la_child_id: str, child: Node) -> Iterator[Problem]:
        spans = []
        for plan in _leaves(_episodes(child), "ChildProtectionPlans"):
            start = plan.date("CPPstartDate")
            if start:
                spans.append((start, plan.date("CPPendDate"), plan))
        for first, second, end in _overlaps(spans):
            yield self.problem(
                la_child_id,
                second.path_of("CPPstartDate"),
                second.value("CPPstartDate"),
                f"The plan starting {first.value('CPPstartDate')} "
                + (f"ended on {end}." if end else "has not ended."),
            )


RULES: tuple[Rule, ...] = (
    LAChildIDFormat(),
    UPNCheckLetter(),
    BirthDatePresent(),
    SexCode(),
    UPNUnknownCode(),
    EthnicityCode(),
    DisabilityCode(),
    ReferralSourceCode(),
    PrimaryNeedCodeRule(),
    ClosureReasonCode(),
    CategoryOfAbuseCode(),
    AssessmentFactorCode(),
    ClosureDateWithReason(),
    EndAfterStart(),
    AssessmentAfterReferral(),
    AuthorisationAfterAssessment(),
    PlanAfterReferral(),
    OneOpenEpisode(),
    NoOverlappingEpisodes(),
    NoOverlappingPlans(),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def check_child(la_child_id: str, child: Node) -> list[Problem]:
    return [p for rule in RULES for p in rule.check(la_child_id, child)]
