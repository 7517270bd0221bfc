"""Rules over the toolkit's results: graded care dipping above and below good enough, and SDQ
scores moving into a higher band."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from hearth.alerts.engine import SCOPE_TABLE, Context, Evidence, Finding, as_date, rule
from hearth.toolkit import scoring


@rule("care-dipping")
def care_dipping(ctx: Context) -> Iterable[Finding]:
    """Only children with at least `min_assessments` completed graded care assessments are read;
    the dip test itself is the toolkit's (`scoring.care_dipping`)."""
    minimum = int(ctx.params["min_assessments"])
    rows = ctx.rows(
        f"""SELECT rs.person_id, r.id, r.effective_date, a.name, r.result, r.tool_version_id
        FROM {SCOPE_TABLE} s
        JOIN toolkit_responsesubject rs ON rs.person_id = s.child_id
        JOIN toolkit_toolresponse r ON r.id = rs.response_id
        JOIN toolkit_tool t ON t.id = r.tool_id AND t.code IN ('graded-care', 'sdq')
        JOIN agencies_agency a ON a.id = r.agency_id
        WHERE r.status = 'completed' AND r.effective_date <= %s
            AND rs.person_id IN (
                SELECT rs2.person_id FROM toolkit_responsesubject rs2
                JOIN toolkit_toolresponse r2 ON r2.id = rs2.response_id AND r2.status = 'completed'
                GROUP BY rs2.person_id HAVING COUNT(*) >= 2)
        ORDER BY rs.person_id, r.effective_date, r.id""",
        [ctx.as_of],
    )
    series: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for child, pk, on, agency, result, _version in rows:
        data = result if isinstance(result, dict) else _json(result)
        series[child].append((pk, as_date(on), agency, data))
    findings = []
    line = float(ctx.params.get("line", 2.5))
    for child, items in series.items():
        graded = [i for i in items if "areas" in i[3]]
        means = [
            float(i[3]["overall"]["mean"])
            for i in graded
            if (i[3].get("overall") or {}).get("mean") is not None
        ]
        sdq = [i for i in items if "scales" in i[3]]
        reasons = []
        evidence: list[Evidence] = []
        if len(means) >= minimum and scoring.care_dipping(means, line, int(ctx.params["min_dips"])):
            reasons.append(
                f"Graded care has dipped below good enough and recovered {scoring.dips(means, line)} times."
            )
            evidence += [
                Evidence(
                    "tool", i[0], i[1], i[2], f"Graded care: overall {i[3]['overall']['mean']}"
                )
                for i in graded
            ]
        by_informant: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for i in sdq:
            by_informant[str(i[3].get("informant"))].append(i)
        for informant, results in by_informant.items():
            if len(results) < 2:
                continue
            before = (results[-2][3].get("total_difficulties") or {}).get("band_rank")
            after = (results[-1][3].get("total_difficulties") or {}).get("band_rank")
            if before is not None and after is not None and after > before:
                reasons.append(
                    f"SDQ total difficulties ({informant} report) moved into a higher band."
                )
                evidence += [Evidence("tool", i[0], i[1], i[2], "SDQ") for i in results[-2:]]
        if reasons:
            findings.append(Finding("care-dipping", child, " ".join(reasons), tuple(evidence)))
    return findings


def _json(value: Any) -> dict[str, Any]:
    import json

    return json.loads(value) if value else {}
