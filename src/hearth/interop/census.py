"""The CIN census file as Hearth reads it: a validation pass, then the records of valid children.

A file is read twice, both times streamed. The first pass (`scan`) validates every child against
the schema and the rules and finds duplicate LA child IDs, so the user sees the whole report
before anything is written; the second (`valid_children`) yields the records of the children
that passed, for the loader. A file-level problem (not XML, a DTD, no header) rejects the file
whatever the mode.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from hearth.episodes.models import EpisodeKind
from hearth.interop import census_xml
from hearth.interop.census_xml import CensusFileError, ChildElement, Header, Node
from hearth.interop.problems import Problem
from hearth.interop.rules import check_child
from hearth.lib.identifiers import normalise_upn
from hearth.people.models import DatePrecision, GenderCurrent, Sex

SOURCE_SYSTEM = "cin-census"
SEX_FROM_GENDER = {
    GenderCurrent.MALE: Sex.MALE,
    GenderCurrent.FEMALE: Sex.FEMALE,
    GenderCurrent.NOT_KNOWN: Sex.UNKNOWN,
    GenderCurrent.NOT_SPECIFIED: Sex.UNKNOWN,
}
PROGRESS_EVERY = 500


@dataclass
class EpisodeRecord:
    """One episode as the file gives it, with the reference that identifies it on re-import."""

    kind: str
    reference: str  # e.g. ID0001/2024-05-01/assessment/1
    path: str
    fields: dict[str, Any]
    subs: list["EpisodeRecord"] = field(default_factory=list)


@dataclass
class ChildRecord:
    index: int
    la_child_id: str
    path: str
    person: dict[str, Any]  # the Person fields the file gives
    referrals: list[EpisodeRecord]

    @property
    def episode_count(self) -> int:
        return sum(1 + len(r.subs) for r in self.referrals)


@dataclass
class Report:
    """What the validation pass found."""

    file_name: str
    sha256: str
    size: int
    header: Header = field(default_factory=Header)
    children: int = 0
    episodes: int = 0  # in the children without problems
    problems: list[Problem] = field(default_factory=list)
    held_back: dict[int, str] = field(default_factory=dict)  # index in the file -> LAchildID
    skipped: Counter[str] = field(default_factory=Counter)
    file_problem: Problem | None = None

    @property
    def valid_children(self) -> int:
        return self.children - len(self.held_back)

    @property
    def readable(self) -> bool:
        return self.file_problem is None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _children(path: Path, header: Header, skipped: Counter[str]) -> Iterator[ChildElement]:
    try:
        handle = path.open("rb")
    except OSError as error:
        raise CensusFileError(
            census_xml.file_problem(f"Cannot read {path.name}: {error.strerror}")
        ) from error
    with handle:
        yield from census_xml.read(handle, header, skipped)


def scan(path: Path, *, name: str = "", on_progress: Callable[[int], None] | None = None) -> Report:
    """Validate the whole file (streamed); nothing is written."""
    report = Report(file_name=name or path.name, sha256=sha256_of(path), size=path.stat().st_size)
    first_seen: dict[str, tuple[int, str]] = {}  # LAchildID -> (index, path)
    counted: dict[int, int] = {}  # index -> episodes counted as valid
    try:
        for element in _children(path, report.header, report.skipped):
            report.children += 1
            problems = list(element.problems)
            if element.node is not None:
                problems += check_child(element.la_child_id, element.node)
            identifier = element.la_child_id
            if identifier in first_seen:
                first_index, first_path = first_seen[identifier]
                problems.append(
                    Problem(
                        child=identifier,
                        path=f"{element.path}/ChildIdentifiers/LAchildID",
                        value=identifier,
                        rule="LA_CHILD_ID_UNIQUE",
                        message=(
                            "Each child appears once in a return: this LA child ID is also the "
                            f"child at {first_path}. Both are held back."
                        ),
                    )
                )
                report.held_back[first_index] = identifier
                report.episodes -= counted.pop(first_index, 0)
            else:
                first_seen[identifier] = (element.index, element.path)
            if problems:
                report.problems += problems
                report.held_back[element.index] = identifier
            elif element.node is not None:
                counted[element.index] = episode_count(element.node)
                report.episodes += counted[element.index]
            if on_progress and report.children % PROGRESS_EVERY == 0:
                on_progress(report.children)
    except CensusFileError as error:
        report.file_problem = error.problem
        report.problems.append(error.problem)
    return report


def episode_count(child: Node) -> int:
    """The episodes a child's record becomes (as `to_record` would make them), counted cheaply."""
    kinds = ("Assessments", "CINPlanDates", "Section47", "ChildProtectionPlans")
    return sum(
        1 + sum(1 for sub in cin.nodes if sub.tag in kinds) for cin in child.all("CINdetails")
    )


def valid_children(path: Path, held_back: set[int]) -> Iterator[ChildRecord]:
    """The records of the children the validation pass found no problem with."""
    header, skipped = Header(), Counter[str]()
    for element in _children(path, header, skipped):
        if element.index in held_back or element.node is None:
            continue
        yield to_record(element)


def _bool(text: str) -> bool | None:
    if not text:
        return None
    return text in ("true", "1")


def _int(text: str) -> int | None:
    return int(text) if text else None


def person_fields(ids: Node, characteristics: Node | None) -> dict[str, Any]:
    person: dict[str, Any] = {}
    born, expected = ids.date("PersonBirthDate"), ids.date("ExpectedPersonBirthDate")
    if born:
        person["date_of_birth"], person["date_of_birth_precision"] = born, DatePrecision.EXACT
    elif expected:
        person["date_of_birth"], person["date_of_birth_precision"] = (
            expected,
            DatePrecision.EXPECTED,
        )
    if sex := ids.value("Sex"):
        person["sex"] = sex
    elif gender := ids.value("GenderCurrent"):
        person["gender_current"] = gender
        person["sex"] = SEX_FROM_GENDER[GenderCurrent(gender)]
    for tag, name in (("UPN", "upn"), ("FormerUPN", "former_upn")):
        if value := ids.value(tag):
            person[name] = normalise_upn(value)
    if reason := ids.value("UPNunknown"):
        person["upn_unknown_reason"] = reason
    if died := ids.date("PersonDeathDate"):
        person["date_of_death"] = died
    if characteristics is not None:
        if ethnicity := characteristics.value("Ethnicity"):
            person["ethnicity"] = ethnicity
        disabilities = characteristics.first("Disabilities")
        if disabilities is not None:
            person["disabilities"] = [d.text for d in disabilities.all("Disability")]
    return person


def _numbered(prefix: str, nodes: list[Node], start_tag: str) -> Iterator[tuple[str, Node]]:
    """Each node with its reference; numbered in order of start date, then order in the file."""
    ordered = sorted(enumerate(nodes), key=lambda pair: (pair[1].value(start_tag), pair[0]))
    for n, (_i, node) in enumerate(ordered, start=1):
        yield f"{prefix}/{n}", node


def to_record(element: ChildElement) -> ChildRecord:
    node = element.node
    assert node is not None
    ids = node.first("ChildIdentifiers")
    assert ids is not None
    la_child_id = ids.value("LAchildID")
    referrals: list[EpisodeRecord] = []
    same_day: Counter[date] = Counter()
    for cin in node.all("CINdetails"):
        referred = cin.date("CINreferralDate")
        assert referred is not None
        same_day[referred] += 1
        referral = EpisodeRecord(
            kind=EpisodeKind.REFERRAL,
            reference=f"{la_child_id}/{referred.isoformat()}/referral/{same_day[referred]}",
            path=cin.path,
            fields={
                "start_date": referred,
                "end_date": cin.date("CINclosureDate"),
                "end_reason": cin.value("ReasonForClosure"),
                "referral_source": cin.value("ReferralSource"),
                "primary_need": cin.value("PrimaryNeedCode"),
                "referral_nfa": _bool(cin.value("ReferralNFA")),
                "initial_cpc_date": cin.date("DateOfInitialCPC"),
            },
        )
        # A second referral on the same day (itself an overlap) keeps its references apart.
        key = referred.isoformat() + (f".{same_day[referred]}" if same_day[referred] > 1 else "")

        def numbered(
            kind: str, tag: str, start_tag: str, cin: Node = cin, key: str = key
        ) -> Iterator[tuple[str, Node]]:
            return _numbered(f"{la_child_id}/{key}/{kind}", cin.all(tag), start_tag)

        for reference, sub in numbered(
            EpisodeKind.ASSESSMENT, "Assessments", "AssessmentActualStartDate"
        ):
            factors = sub.first("FactorsIdentifiedAtAssessment")
            authorised = sub.date("AssessmentAuthorisationDate")
            referral.subs.append(
                EpisodeRecord(
                    kind=EpisodeKind.ASSESSMENT,
                    reference=reference,
                    path=sub.path,
                    fields={
                        "start_date": sub.date("AssessmentActualStartDate"),
                        "internal_review_date": sub.date("AssessmentInternalReviewDate"),
                        "authorisation_date": authorised,
                        "end_date": authorised,
                        "factors": [f.text for f in factors.all("AssessmentFactors")]
                        if factors is not None
                        else [],
                    },
                )
            )
        for reference, sub in numbered(EpisodeKind.CIN_PLAN, "CINPlanDates", "CINPlanStartDate"):
            referral.subs.append(
                EpisodeRecord(
                    kind=EpisodeKind.CIN_PLAN,
                    reference=reference,
                    path=sub.path,
                    fields={
                        "start_date": sub.date("CINPlanStartDate"),
                        "end_date": sub.date("CINPlanEndDate"),
                    },
                )
            )
        for reference, sub in numbered(EpisodeKind.SECTION_47, "Section47", "S47ActualStartDate"):
            icpc = sub.date("DateOfInitialCPC")
            referral.subs.append(
                EpisodeRecord(
                    kind=EpisodeKind.SECTION_47,
                    reference=reference,
                    path=sub.path,
                    fields={
                        "start_date": sub.date("S47ActualStartDate"),
                        "initial_cpc_target": sub.date("InitialCPCtarget"),
                        "initial_cpc_date": icpc,
                        "icpc_not_required": _bool(sub.value("ICPCnotRequired")),
                        # The census has no end for an enquiry: it ends at its conference.
                        "end_date": icpc,
                    },
                )
            )
        for reference, sub in numbered(EpisodeKind.CP_PLAN, "ChildProtectionPlans", "CPPstartDate"):
            reviews = sub.first("Reviews")
            referral.subs.append(
                EpisodeRecord(
                    kind=EpisodeKind.CP_PLAN,
                    reference=reference,
                    path=sub.path,
                    fields={
                        "start_date": sub.date("CPPstartDate"),
                        "end_date": sub.date("CPPendDate"),
                        "initial_category": sub.value("InitialCategoryOfAbuse"),
                        "latest_category": sub.value("LatestCategoryOfAbuse"),
                        "number_of_previous_cpp": _int(sub.value("NumberOfPreviousCPP")),
                        "review_dates": [r.text for r in reviews.all("CPPreviewDate")]
                        if reviews is not None
                        else [],
                    },
                )
            )
        referrals.append(referral)
    return ChildRecord(
        index=element.index,
        la_child_id=la_child_id,
        path=element.path,
        person=person_fields(ids, node.first("ChildCharacteristics")),
        referrals=referrals,
    )
