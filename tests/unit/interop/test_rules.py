"""Every CIN census validation rule, each with a failing and a passing case.

The cases change one thing in a consistent synthetic child (tests/census_files.py), so each shows
exactly what a rule refuses and what it lets through.
"""

import pytest

from hearth.interop.rules import RULES, RULES_BY_CODE, check_child
from tests.census_files import VALID_UPN, child, read_one, with_second_episode

CLOSED = ("<CINclosureDate>2025-01-10</CINclosureDate>", "")
REASON = ("<ReasonForClosure>RC7</ReasonForClosure>", "")

# rule code: (a child that breaks it, the path of the problem, a child that passes it)
CASES = {
    "LA_CHILD_ID_FORMAT": (
        child(la_child_id="ID 001/X"),
        "ChildIdentifiers/LAchildID",
        child(la_child_id="ABCDEFGHIJ"),
    ),
    "UPN_CHECK_LETTER": (
        child((VALID_UPN, "A93801234567A")),
        "ChildIdentifiers/UPN",
        child(("</UPN>", "</UPN>\n      <FormerUPN>R93800000001B</FormerUPN>")),
    ),
    "BIRTH_DATE_PRESENT": (
        child(("<PersonBirthDate>2015-05-01</PersonBirthDate>", "")),
        "ChildIdentifiers/PersonBirthDate",
        child(
            (
                "PersonBirthDate>2015-05-01</PersonBirthDate",
                "ExpectedPersonBirthDate>2025-06-01</ExpectedPersonBirthDate",
            )
        ),
    ),
    "CODE_SEX": (
        child(("<Sex>F</Sex>", "<Sex>X</Sex>")),
        "ChildIdentifiers/Sex",
        child(("<Sex>F</Sex>", "<GenderCurrent>2</GenderCurrent>")),
    ),
    "CODE_UPN_UNKNOWN": (
        child((f"<UPN>{VALID_UPN}</UPN>", "<UPNunknown>UN11</UPNunknown>")),
        "ChildIdentifiers/UPNunknown",
        child((f"<UPN>{VALID_UPN}</UPN>", "<UPNunknown>UN3</UPNunknown>")),
    ),
    "CODE_ETHNICITY": (
        child(("WBRI", "WHIT")),
        "ChildCharacteristics/Ethnicity",
        child(("WBRI", "AIND")),
    ),
    "CODE_DISABILITY": (
        child(("<Disability>NONE", "<Disability>BLIND")),
        "ChildCharacteristics/Disabilities/Disability[1]",
        child(("<Disability>NONE", "<Disability>AUT")),
    ),
    "CODE_REFERRAL_SOURCE": (
        child(("<ReferralSource>3B", "<ReferralSource>11")),
        "CINdetails[1]/ReferralSource",
        child(("<ReferralSource>3B", "<ReferralSource>10")),
    ),
    "CODE_PRIMARY_NEED": (
        child(("<PrimaryNeedCode>N1", "<PrimaryNeedCode>N10")),
        "CINdetails[1]/PrimaryNeedCode",
        child(("<PrimaryNeedCode>N1", "<PrimaryNeedCode>N9")),
    ),
    "CODE_CLOSURE_REASON": (
        child(("RC7", "RC9")),
        "CINdetails[1]/ReasonForClosure",
        child(("RC7", "RC8")),
    ),
    "CODE_CATEGORY": (
        child(("<LatestCategoryOfAbuse>NEG", "<LatestCategoryOfAbuse>NEGL")),
        "CINdetails[1]/ChildProtectionPlans[1]/LatestCategoryOfAbuse",
        child(("<LatestCategoryOfAbuse>NEG", "<LatestCategoryOfAbuse>MUL")),
    ),
    "CODE_FACTOR": (
        child((">16A<", ">16B<")),
        "CINdetails[1]/Assessments[1]/FactorsIdentifiedAtAssessment/AssessmentFactors[1]",
        child((">16A<", ">21<")),
    ),
    "CLOSURE_DATE_AND_REASON": (
        child(REASON),
        "CINdetails[1]/ReasonForClosure",
        child(REASON, CLOSED),
    ),
    "DATES_END_AFTER_START": (
        child(("<CPPendDate>2025-01-05", "<CPPendDate>2024-08-31")),
        "CINdetails[1]/ChildProtectionPlans[1]/CPPendDate",
        child(("<CPPendDate>2025-01-05", "<CPPendDate>2024-09-01")),
    ),
    "DATES_ASSESSMENT_AFTER_REFERRAL": (
        child(("<AssessmentActualStartDate>2024-05-03", "<AssessmentActualStartDate>2024-04-30")),
        "CINdetails[1]/Assessments[1]/AssessmentActualStartDate",
        child(("<AssessmentActualStartDate>2024-05-03", "<AssessmentActualStartDate>2024-05-01")),
    ),
    "DATES_AUTHORISATION_AFTER_START": (
        child(
            ("<AssessmentAuthorisationDate>2024-06-01", "<AssessmentAuthorisationDate>2024-05-02")
        ),
        "CINdetails[1]/Assessments[1]/AssessmentAuthorisationDate",
        child(
            ("<AssessmentAuthorisationDate>2024-06-01", "<AssessmentAuthorisationDate>2024-05-03")
        ),
    ),
    "DATES_CPP_AFTER_REFERRAL": (
        child(("<CPPstartDate>2024-09-01", "<CPPstartDate>2024-04-20")),
        "CINdetails[1]/ChildProtectionPlans[1]/CPPstartDate",
        child(("<CPPstartDate>2024-09-01", "<CPPstartDate>2024-05-01")),
    ),
    "ONE_OPEN_EPISODE": (
        with_second_episode(child(CLOSED, REASON), "2025-02-01"),
        "CINdetails[2]/CINreferralDate",
        with_second_episode(child(), "2025-02-01"),
    ),
    "EPISODES_OVERLAP": (
        with_second_episode(child(), "2024-12-01", closed="2025-02-01"),
        "CINdetails[2]/CINreferralDate",
        with_second_episode(child(), "2025-01-20", closed="2025-02-01"),
    ),
    "CPP_OVERLAP": (
        child(
            (
                "</ChildProtectionPlans>",
                "</ChildProtectionPlans>\n      <ChildProtectionPlans><CPPstartDate>2024-12-01</CPPstartDate></ChildProtectionPlans>",
            )
        ),
        "CINdetails[1]/ChildProtectionPlans[2]/CPPstartDate",
        child(
            (
                "</ChildProtectionPlans>",
                "</ChildProtectionPlans>\n      <ChildProtectionPlans><CPPstartDate>2025-01-06</CPPstartDate></ChildProtectionPlans>",
            )
        ),
    ),
}


def test_every_rule_has_a_failing_and_a_passing_case():
    assert set(CASES) == set(RULES_BY_CODE)


def test_every_rule_has_a_code_and_a_text_a_person_reads():
    for rule in RULES:
        assert rule.code.isupper() and len(rule.text()) > 30, rule


def test_the_consistent_child_passes_the_schema_and_every_rule():
    element = read_one(child())
    assert element.problems == [] and element.node is not None
    assert check_child("ID001", element.node) == []


@pytest.mark.parametrize("code", sorted(CASES))
def test_the_rule_reports_the_child_path_value_and_its_text(code):
    failing, path, _passing = CASES[code]
    element = read_one(failing)
    assert element.problems == [], element.problems  # the schema is content: only the rule fails
    assert element.node is not None
    problems = list(RULES_BY_CODE[code].check(element.la_child_id, element.node))
    assert problems, f"{code} let through a child it should refuse"
    problem = problems[0]
    assert problem.rule == code
    assert problem.child == element.la_child_id
    assert problem.path == f"/Message/Children/Child[1]/{path}"
    assert problem.message.startswith(RULES_BY_CODE[code].text())


@pytest.mark.parametrize("code", sorted(CASES))
def test_the_rule_lets_a_consistent_child_through(code):
    _failing, _path, passing = CASES[code]
    element = read_one(passing)
    assert element.problems == [] and element.node is not None
    assert list(RULES_BY_CODE[code].check(element.la_child_id, element.node)) == []


def test_a_value_that_breaks_the_rule_is_reported_as_the_value():
    element = read_one(CASES["CODE_CLOSURE_REASON"][0])
    assert element.node is not None
    [problem] = RULES_BY_CODE["CODE_CLOSURE_REASON"].check("ID001", element.node)
    assert problem.value == "RC9"
    assert "RC1 to RC8" in problem.message


def test_a_reason_without_a_closure_date_is_refused_too():
    element = read_one(child(CLOSED))
    assert element.node is not None
    [problem] = RULES_BY_CODE["CLOSURE_DATE_AND_REASON"].check("ID001", element.node)
    assert problem.path.endswith("CINdetails[1]/CINclosureDate")


def test_an_overlapping_episode_that_is_still_open_says_so():
    element = read_one(with_second_episode(child(CLOSED, REASON), "2025-02-01"))
    assert element.node is not None
    [problem] = RULES_BY_CODE["EPISODES_OVERLAP"].check("ID001", element.node)
    assert "is still open" in problem.message


class TestTheSchema:
    def test_an_impossible_date_is_reported_with_its_path_and_value(self):
        element = read_one(child(("<CINreferralDate>2024-05-01", "<CINreferralDate>2024-13-01")))
        assert element.node is None
        [problem] = element.problems
        assert problem.rule == "SCHEMA"
        assert problem.path == "/Message/Children/Child[1]/CINdetails[1]/CINreferralDate"
        assert problem.value == "2024-13-01"

    def test_a_child_without_an_la_child_id_is_refused(self):
        element = read_one(child(("<LAchildID>ID001</LAchildID>", "")))
        assert element.node is None and element.problems[0].rule == "SCHEMA"

    def test_both_sex_and_gender_current_is_refused(self):
        element = read_one(child(("<Sex>F</Sex>", "<Sex>F</Sex><GenderCurrent>2</GenderCurrent>")))
        assert element.node is None and element.problems[0].rule == "SCHEMA"

    def test_a_module_hearth_does_not_use_is_removed_and_counted_not_refused(self):
        from collections import Counter

        from lxml import etree

        from hearth.interop.census_xml import read_child

        text = child(
            (
                "</ChildCharacteristics>",
                "</ChildCharacteristics>\n    <ChildAdditional><Flag>1</Flag></ChildAdditional>",
            ),
            ("<ReferralNFA>", "<ReferralChannel>Phone</ReferralChannel><ReferralNFA>"),
        )
        skipped: Counter[str] = Counter()
        element = read_child(etree.fromstring(text.encode()), 1, skipped)
        assert element.problems == []
        assert skipped == {"Child/ChildAdditional": 1, "CINdetails/ReferralChannel": 1}
