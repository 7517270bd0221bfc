"""Rules over plans: drift, plans ended too soon, and plans that keep coming back."""

from collections.abc import Iterable

from hearth.alerts.engine import SCOPE_TABLE, Context, Finding, rule
from hearth.alerts.rules.concern import _episode_findings, _plus_days


@rule("plan-drift")
def plan_drift(ctx: Context) -> Iterable[Finding]:
    """CIN plans open over 12 months and CP plans over 15 months, at the date evaluated."""
    if not ctx.any_open("cin_plan", "cp_plan"):
        return []
    firing: dict[int, str] = {}
    for kind, days, label in (
        ("cin_plan", int(ctx.params["cin_days"]), "child in need plan"),
        ("cp_plan", int(ctx.params["cp_days"]), "child protection plan"),
    ):
        for child, _start in ctx.rows(
            f"""SELECT s.child_id, MIN(p.start_date) FROM {SCOPE_TABLE} s
            JOIN episodes_episode p ON p.child_id = s.child_id AND p.kind = %s
            WHERE p.start_date <= %s AND (p.end_date IS NULL OR p.end_date > %s)
                AND {_plus_days("p.start_date", days)} <= %s
            GROUP BY s.child_id""",
            [kind, ctx.as_of, ctx.as_of, ctx.as_of],
        ):
            firing[child] = (
                firing.get(child, "") + f" The {label} has been open for more than {days} days."
            ).strip()
    cin = {c: s for c, s in firing.items() if "child in need" in s}
    cp = {c: s for c, s in firing.items() if c not in cin}
    return [
        *_episode_findings(ctx, "plan-drift", cin, "cin_plan", None),
        *_episode_findings(ctx, "plan-drift", cp, "cp_plan", None),
    ]


@rule("cp-ended-early")
def cp_ended_early(ctx: Context) -> Iterable[Finding]:
    """A CP plan ended at or before its first review: an audit task for the safeguarding unit."""
    if not ctx.any_ended_since(int(ctx.params["lookback_days"]), "cp_plan"):
        return []
    days = int(ctx.params["max_days"])
    lookback = int(ctx.params["lookback_days"])
    rows = ctx.rows(
        f"""SELECT DISTINCT s.child_id FROM {SCOPE_TABLE} s
        JOIN episodes_episode p ON p.child_id = s.child_id AND p.kind = 'cp_plan'
        WHERE p.end_date IS NOT NULL AND p.end_date <= %s AND p.end_date > %s
            AND p.end_date <= {_plus_days("p.start_date", days)}""",
        [ctx.as_of, ctx.days_ago(lookback)],
    )
    firing = {
        child: f"A child protection plan ended within {days} days of starting, at or before "
        "its first review. Audit whether the risk had really reduced."
        for (child,) in rows
    }
    return _episode_findings(ctx, "cp-ended-early", firing, "cp_plan", None)


@rule("repeat-plan")
def repeat_plan(ctx: Context) -> Iterable[Finding]:
    """An open CP plan that started within two years of a previous one ending, or a second or
    later CP plan for neglect."""
    if not ctx.any_open("cp_plan"):
        return []
    gap = int(ctx.params["within_days"])
    soon = ctx.rows(
        f"""SELECT DISTINCT s.child_id FROM {SCOPE_TABLE} s
        JOIN episodes_episode p ON p.child_id = s.child_id AND p.kind = 'cp_plan'
        JOIN episodes_episode earlier ON earlier.child_id = s.child_id AND earlier.kind = 'cp_plan'
            AND earlier.id <> p.id AND earlier.end_date IS NOT NULL
            AND earlier.end_date <= p.start_date
            AND p.start_date <= {_plus_days("earlier.end_date", gap)}
        WHERE p.start_date <= %s AND (p.end_date IS NULL OR p.end_date > %s)""",
        [ctx.as_of, ctx.as_of],
    )
    neglect = ctx.rows(
        f"""SELECT s.child_id FROM {SCOPE_TABLE} s
        JOIN episodes_episode p ON p.child_id = s.child_id AND p.kind = 'cp_plan'
        WHERE p.start_date <= %s AND (p.initial_category = 'NEG' OR p.latest_category = 'NEG')
        GROUP BY s.child_id
        HAVING COUNT(*) >= 2
            AND SUM(CASE WHEN p.end_date IS NULL OR p.end_date > %s THEN 1 ELSE 0 END) >= 1""",
        [ctx.as_of, ctx.as_of],
    )
    firing: dict[int, str] = {}
    for (child,) in soon:
        firing[child] = (
            f"A new child protection plan started within {gap} days of the last one ending."
        )
    for (child,) in neglect:
        firing[child] = (
            firing.get(child, "") + " This is a second or later child protection plan for neglect."
        ).strip()
    return _episode_findings(ctx, "repeat-plan", firing, "cp_plan", None)
