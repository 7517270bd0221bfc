"""Permissions as data: which role may do what. Information governance can read this file.

Record-level permissions also need a legitimate relationship with the person: see
`hearth.access.scoping.can_access_person`.
"""

from enum import StrEnum
from typing import Any

from hearth.accounts.models import Role


class Permission(StrEnum):
    VIEW_RECORDS = "view_records"
    SEARCH_PEOPLE = "search_people"
    RECORD_CHRONOLOGY = "record_chronology"
    BREAK_GLASS = "break_glass"
    REVIEW_BREAK_GLASS = "review_break_glass"
    VIEW_AUDIT_TRAIL = "view_audit_trail"
    USE_TOOLKIT = "use_toolkit"
    MANAGE_PLANS = "manage_plans"
    RESPOND_TO_ALERTS = "respond_to_alerts"
    VIEW_TEAM_ALERTS = "view_team_alerts"
    # The partnership's aggregate figures (the neglect dataset) and their exports.
    VIEW_PARTNERSHIP_FIGURES = "view_partnership_figures"
    # Agency action plans, the Impact Framework and training records.
    VIEW_ACTION_PLANS = "view_action_plans"
    UPDATE_ACTION_PLAN = "update_action_plan"
    SIGN_OFF_ACTION_PLAN = "sign_off_action_plan"
    RECORD_IMPACT_EVIDENCE = "record_impact_evidence"
    RECORD_TRAINING = "record_training"
    # The dataset's settings: the local authority compared with, the child population, themes.
    MANAGE_REPORTING = "manage_reporting"
    # Partner systems' API credentials: made and revoked by the administrator.
    MANAGE_API_CREDENTIALS = "manage_api_credentials"
    # Loading files from partner systems (the CIN census) and reading their import reports:
    # counts and LA child IDs, never the children's records.
    IMPORT_DATA = "import_data"
    # Who is who: the review queue of possible matches, merges and unmerges. Reviewers see the
    # identifying fields of the two records side by side, never a chronology.
    REVIEW_MATCHES = "review_matches"
    # Training the linkage model, its thresholds and batch runs: figures, not records.
    MANAGE_LINKAGE = "manage_linkage"


_CASEWORK = {
    Permission.VIEW_RECORDS,
    Permission.SEARCH_PEOPLE,
    Permission.RECORD_CHRONOLOGY,
    Permission.BREAK_GLASS,
    Permission.USE_TOOLKIT,
}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.PRACTITIONER: frozenset(
        _CASEWORK | {Permission.MANAGE_PLANS, Permission.RESPOND_TO_ALERTS}
    ),
    # Front-door screeners record what they learn but do not hold plans.
    Role.SCREENER: frozenset(_CASEWORK),
    Role.TEAM_MANAGER: frozenset(
        _CASEWORK
        | {
            Permission.REVIEW_BREAK_GLASS,
            Permission.MANAGE_PLANS,
            Permission.RESPOND_TO_ALERTS,
            Permission.VIEW_TEAM_ALERTS,
            Permission.VIEW_ACTION_PLANS,
            Permission.UPDATE_ACTION_PLAN,
        }
    ),
    # Analysts and scrutineers work with aggregate figures, not individual records.
    Role.ANALYST: frozenset(
        {
            Permission.VIEW_PARTNERSHIP_FIGURES,
            Permission.VIEW_ACTION_PLANS,
            Permission.RECORD_IMPACT_EVIDENCE,
        }
    ),
    Role.AUDITOR: frozenset({Permission.VIEW_PARTNERSHIP_FIGURES, Permission.VIEW_ACTION_PLANS}),
    Role.IG_OFFICER: frozenset({Permission.VIEW_AUDIT_TRAIL, Permission.REVIEW_BREAK_GLASS}),
    Role.ADMINISTRATOR: frozenset(
        {
            Permission.VIEW_PARTNERSHIP_FIGURES,
            Permission.VIEW_ACTION_PLANS,
            Permission.UPDATE_ACTION_PLAN,
            Permission.RECORD_IMPACT_EVIDENCE,
            Permission.RECORD_TRAINING,
            Permission.MANAGE_REPORTING,
            Permission.MANAGE_API_CREDENTIALS,
            Permission.IMPORT_DATA,
            Permission.MANAGE_LINKAGE,
        }
    ),
    Role.DATA_QUALITY: frozenset({Permission.REVIEW_MATCHES, Permission.MANAGE_LINKAGE}),
    # An agency's lead updates and signs off its own action plan (the agency is checked by the
    # action-plan actions) and records its training; no child records.
    Role.AGENCY_LEAD: frozenset(
        {
            Permission.VIEW_ACTION_PLANS,
            Permission.UPDATE_ACTION_PLAN,
            Permission.SIGN_OFF_ACTION_PLAN,
            Permission.RECORD_TRAINING,
        }
    ),
}

RECORD_PERMISSIONS = frozenset(
    {
        Permission.VIEW_RECORDS,
        Permission.RECORD_CHRONOLOGY,
        Permission.USE_TOOLKIT,
        Permission.MANAGE_PLANS,
        Permission.RESPOND_TO_ALERTS,
    }
)


def role_has_permission(role: str, perm: Permission) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


def has_permission(user: Any, perm: Permission, person: Any = None) -> bool:
    """The one question every view, command and API asks before acting."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not role_has_permission(user.role, perm):
        return False
    if person is not None and perm in RECORD_PERMISSIONS:
        from hearth.access.scoping import can_access_person

        return can_access_person(user, person)
    return True
