"""Writing a CIN census XML file, streamed child by child (lxml's incremental `xmlfile`).

The input is the same `ChildRecord` the importer reads, so what is written can be read back into
exactly the records it came from. The layout follows the collection year: the `Sex` item from
2024-25 (collection year 2025) on, `GenderCurrent` before.
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import IO, Any

from lxml import etree

from hearth.episodes.models import EpisodeKind
from hearth.interop.census import ChildRecord, EpisodeRecord
from hearth.people.models import DatePrecision, GenderCurrent, Sex

FIRST_SEX_YEAR = 2025
GENDER_FROM_SEX = {
    Sex.MALE: GenderCurrent.MALE,
    Sex.FEMALE: GenderCurrent.FEMALE,
    Sex.UNKNOWN: GenderCurrent.NOT_KNOWN,
}


def reference_date(year: int) -> date:
    return date(year, 3, 31)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _add(parent: Any, tag: str, value: Any) -> None:
    """An element for a value the record has (nothing for None, "" or an empty list)."""
    if value is None or value == "" or value == []:
        return
    etree.SubElement(parent, tag).text = _text(value)


def _header(year: int, lea: str, software: str, when: datetime) -> Any:
    header = etree.Element("Header")
    details = etree.SubElement(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", year)
    _add(details, "ReferenceDate", reference_date(year))
    source = etree.SubElement(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", lea)
    _add(source, "SoftwareCode", software)
    _add(source, "Release", "1")
    _add(source, "SerialNo", "001")
    _add(source, "DateTime", when.replace(microsecond=0, tzinfo=None).isoformat())
    return header


def child_element(record: ChildRecord, *, year: int) -> Any:
    person = record.person
    child = etree.Element("Child")
    ids = etree.SubElement(child, "ChildIdentifiers")
    _add(ids, "LAchildID", record.la_child_id)
    _add(ids, "UPN", person.get("upn"))
    _add(ids, "FormerUPN", person.get("former_upn"))
    _add(ids, "UPNunknown", person.get("upn_unknown_reason"))
    if person.get("date_of_birth_precision") == DatePrecision.EXPECTED:
        _add(ids, "ExpectedPersonBirthDate", person.get("date_of_birth"))
    else:
        _add(ids, "PersonBirthDate", person.get("date_of_birth"))
    sex = person.get("sex") or Sex.UNKNOWN
    if year >= FIRST_SEX_YEAR:
        _add(ids, "Sex", sex)
    else:
        _add(ids, "GenderCurrent", person.get("gender_current") or GENDER_FROM_SEX[Sex(sex)])
    _add(ids, "PersonDeathDate", person.get("date_of_death"))
    if "ethnicity" in person or "disabilities" in person:
        characteristics = etree.SubElement(child, "ChildCharacteristics")
        _add(characteristics, "Ethnicity", person.get("ethnicity"))
        if person.get("disabilities"):
            disabilities = etree.SubElement(characteristics, "Disabilities")
            for code in person["disabilities"]:
                _add(disabilities, "Disability", code)
    for referral in record.referrals:
        _cin_details(child, referral)
    return child


def _cin_details(child: Any, referral: EpisodeRecord) -> None:
    f = referral.fields
    cin = etree.SubElement(child, "CINdetails")
    _add(cin, "CINreferralDate", f["start_date"])
    _add(cin, "ReferralSource", f.get("referral_source"))
    _add(cin, "PrimaryNeedCode", f.get("primary_need"))
    _add(cin, "CINclosureDate", f.get("end_date"))
    _add(cin, "ReasonForClosure", f.get("end_reason"))
    _add(cin, "DateOfInitialCPC", f.get("initial_cpc_date"))
    _add(cin, "ReferralNFA", f.get("referral_nfa"))
    subs = sorted(referral.subs, key=lambda s: (s.fields["start_date"], s.reference))
    for sub in (s for s in subs if s.kind == EpisodeKind.ASSESSMENT):
        g = sub.fields
        node = etree.SubElement(cin, "Assessments")
        _add(node, "AssessmentActualStartDate", g["start_date"])
        _add(node, "AssessmentInternalReviewDate", g.get("internal_review_date"))
        _add(node, "AssessmentAuthorisationDate", g.get("authorisation_date"))
        if g.get("factors"):
            factors = etree.SubElement(node, "FactorsIdentifiedAtAssessment")
            for code in g["factors"]:
                _add(factors, "AssessmentFactors", code)
    for sub in (s for s in subs if s.kind == EpisodeKind.CIN_PLAN):
        node = etree.SubElement(cin, "CINPlanDates")
        _add(node, "CINPlanStartDate", sub.fields["start_date"])
        _add(node, "CINPlanEndDate", sub.fields.get("end_date"))
    for sub in (s for s in subs if s.kind == EpisodeKind.SECTION_47):
        g = sub.fields
        node = etree.SubElement(cin, "Section47")
        _add(node, "S47ActualStartDate", g["start_date"])
        _add(node, "InitialCPCtarget", g.get("initial_cpc_target"))
        _add(node, "DateOfInitialCPC", g.get("initial_cpc_date"))
        _add(node, "ICPCnotRequired", g.get("icpc_not_required"))
    for sub in (s for s in subs if s.kind == EpisodeKind.CP_PLAN):
        g = sub.fields
        node = etree.SubElement(cin, "ChildProtectionPlans")
        _add(node, "CPPstartDate", g["start_date"])
        _add(node, "CPPendDate", g.get("end_date"))
        _add(node, "InitialCategoryOfAbuse", g.get("initial_category"))
        _add(node, "LatestCategoryOfAbuse", g.get("latest_category"))
        _add(node, "NumberOfPreviousCPP", g.get("number_of_previous_cpp"))
        if g.get("review_dates"):
            reviews = etree.SubElement(node, "Reviews")
            for when in g["review_dates"]:
                _add(reviews, "CPPreviewDate", when)


def write_census(
    out: IO[bytes],
    children: Iterable[ChildRecord],
    *,
    year: int,
    lea: str,
    when: datetime,
    software: str = "Hearth",
) -> int:
    """Write a whole return; returns the number of children written."""
    count = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("Message"):
            xf.write(_header(year, lea, software, when), pretty_print=True)
            with xf.element("Children"):
                for record in children:
                    xf.write(child_element(record, year=year), pretty_print=True)
                    count += 1
    return count
