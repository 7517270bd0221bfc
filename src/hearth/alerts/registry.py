"""Publishing rule versions from data (`rules.json`, or a partnership's own file), never
overwriting one: a partnership tunes a rule by publishing its next version."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from hearth.alerts.models import Rule, RuleVersion
from hearth.lib.versioning import checksum

SHIPPED_RULES = Path(__file__).with_name("rules.json")
TASKS = ("alert", "audit_task", "manager_review")


class RuleError(Exception):
    pass


def validate_rule(data: Any) -> list[str]:
    from hearth.alerts import rules as _rules  # noqa: F401 - registers the implementations
    from hearth.alerts.engine import RULES

    if not isinstance(data, dict):
        return ["a rule is a JSON object"]
    problems = []
    for key, kind in (
        ("code", str),
        ("version", int),
        ("name", str),
        ("description", str),
        ("why", str),
        ("params", dict),
    ):
        if not isinstance(data.get(key), kind):
            problems.append(f"'{key}' is required ({kind.__name__})")
    if isinstance(data.get("code"), str) and data["code"] not in RULES:
        problems.append(f"no implementation for rule '{data['code']}'")
    if data.get("task", "alert") not in TASKS:
        problems.append(f"'task' must be one of {', '.join(TASKS)}")
    for name, value in (data.get("params") or {}).items():
        if not isinstance(value, int | float | str | list) or isinstance(value, bool):
            problems.append(f"parameter '{name}' must be a number, text or list")
    return problems


@transaction.atomic
def publish_rule(data: Any) -> tuple[RuleVersion, bool]:
    problems = validate_rule(data)
    if problems:
        raise RuleError(
            f"{data.get('code', '?') if isinstance(data, dict) else '?'}: " + "; ".join(problems)
        )
    digest = checksum(data)
    rule, _ = Rule.objects.get_or_create(code=data["code"], defaults={"name": data["name"]})
    existing = rule.versions.filter(version=data["version"]).first()
    if existing is not None:
        if existing.checksum != digest:
            raise RuleError(
                f"{rule.code}: version {data['version']} is already published with different "
                f"parameters; publish the change as version {data['version'] + 1}"
            )
        return existing, False
    latest = rule.versions.order_by("-version").first()
    if latest is not None and data["version"] < latest.version:
        raise RuleError(f"{rule.code}: already at version {latest.version}")
    rule.name = data["name"]
    rule.save(update_fields=["name"])
    version = RuleVersion.objects.create(
        rule=rule,
        version=data["version"],
        description=data["description"],
        why=data["why"],
        source=data.get("source", ""),
        task=data.get("task", "alert"),
        params=data["params"],
        checksum=digest,
        published_at=timezone.now(),
    )
    return version, True


def read_rules_file(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise RuleError(f"{path}: not valid JSON at line {error.lineno}: {error.msg}") from error
    return data if isinstance(data, list) else [data]


def load_shipped_rules(using: str = "default") -> None:
    if RuleVersion._meta.db_table not in connections[using].introspection.table_names():
        return
    for data in read_rules_file(SHIPPED_RULES):
        publish_rule(data)


@dataclass(frozen=True)
class ActiveRule:
    version: RuleVersion
    params: dict[str, Any]


def active_rules() -> dict[str, ActiveRule]:
    """The latest version of every active rule, by code."""
    result: dict[str, ActiveRule] = {}
    for rule in Rule.objects.filter(active=True).prefetch_related("versions"):
        latest = max(rule.versions.all(), key=lambda v: v.version, default=None)
        if latest is not None:
            result[rule.code] = ActiveRule(latest, dict(latest.params))
    return result
