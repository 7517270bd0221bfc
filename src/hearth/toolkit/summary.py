"""One line about a completed tool for the chronology: what was done and what it found."""

from typing import Any

from hearth.toolkit.models import ToolResponse


def _band(score: dict[str, Any] | None) -> str:
    if not score or score.get("score") is None:
        return "not scored"
    label = score.get("band_label")
    return f"{score['score']} ({label.lower()})" if label else str(score["score"])


SDQ_SCALE_ORDER = ("emotional", "conduct", "hyperactivity", "peer", "prosocial")


def ordered_areas(definition: dict[str, Any], result: dict[str, Any]) -> list[tuple[str, Any]]:
    """Graded care areas in the tool's section order. Results are stored as JSON objects, whose
    key order PostgreSQL's jsonb does not keep, so order always comes from the definition."""
    areas = result.get("areas") or {}
    order = [s["id"] for s in definition.get("sections", []) if s["id"] in areas]
    return [(k, areas[k]) for k in order] + [(k, v) for k, v in areas.items() if k not in order]


def ordered_scales(result: dict[str, Any]) -> list[tuple[str, Any]]:
    scales = result.get("scales") or {}
    order = [k for k in SDQ_SCALE_ORDER if k in scales]
    return [(k, scales[k]) for k in order] + [(k, v) for k, v in scales.items() if k not in order]


def result_headline(
    definition: dict[str, Any], result: dict[str, Any], answers: dict[str, Any]
) -> str:
    """The key finding of a scored tool, in words (shared by the chronology and the child's toolkit)."""
    method = str(definition.get("scoring", {}).get("method", "none"))
    if method == "graded_care":
        below = [
            area.get("title", key)
            for key, area in ordered_areas(definition, result)
            if area.get("good_enough") is False
        ]
        overall = result.get("overall") or {}
        text = f"Overall mean grade {overall.get('mean', 'not known')}"
        return text + (
            f"; below good enough: {', '.join(below)}." if below else "; every area good enough."
        )
    if method == "sdq":
        who = {"parent": "parent", "teacher": "teacher", "self": "self"}.get(
            str(result.get("informant")), "unknown"
        )
        return (
            f"SDQ ({who} report): total difficulties {_band(result.get('total_difficulties'))}; "
            f"impact {_band(result.get('impact'))}."
        )
    if method == "checklist":
        completeness = result.get("completeness")
        return (
            f"Checklist {completeness}% complete ({result.get('met', 0)} of "
            f"{result.get('applicable', 0)} applicable items met)."
            if completeness is not None
            else "Checklist not answered."
        )
    if method == "capacity_to_change":
        stage = str(result.get("latest_stage") or "no review yet").replace("_", " ")
        text = f"Latest stage of change: {stage}; progress: {result.get('latest_progress') or 'not reviewed'}."
        return text + (
            " Target date passed without progress."
            if result.get("overdue_without_progress")
            else ""
        )
    if method == "so_what":
        steps = len(answers.get("next_steps") or [])
        not_smart = int(result.get("not_smart") or 0)
        text = f"{steps} next step{'s' if steps != 1 else ''} agreed"
        return text + (f"; {not_smart} not SMART." if not_smart else ".")
    seen = (answers.get("voice") or {}).get("seen_alone")
    if seen:
        return f"Child seen alone: {seen}."
    return ""


def summarise(response: ToolResponse) -> str:
    about = f" with {response.carer.full_name}" if response.carer_id and response.carer else ""
    who = response.author_name or response.agency.name
    headline = result_headline(
        response.tool_version.definition, response.result or {}, response.answers
    )
    return (
        f"{response.tool.name}{about} completed by {who} ({response.agency.name}), "
        f"version {response.tool_version.version} of the tool. {headline}"
    ).strip()
