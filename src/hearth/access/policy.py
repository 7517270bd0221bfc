"""The URL policy table: every URL in Hearth declares who may use it.

`URLPolicyMiddleware` refuses any URL missing from this table (fail closed), and a test walks
every URL pattern to prove each is declared and refused to users without the right role. Views
that show a person's data also check the relationship through `hearth.access.helpers`.
"""

from dataclasses import dataclass

from hearth.access.permissions import Permission


@dataclass(frozen=True)
class Policy:
    permission: Permission | None = None
    public: bool = False  # reachable without signing in (sign-in pages only)
    record_level: bool = False  # also needs a relationship with the person in the URL
    note: str = ""


PUBLIC = Policy(public=True)
SIGNED_IN = Policy()

POLICIES: dict[str, Policy] = {
    "accounts:login": PUBLIC,
    "accounts:logout": SIGNED_IN,
    "accounts:mfa_setup": SIGNED_IN,
    "accounts:mfa_verify": SIGNED_IN,
    "accounts:mfa_qr": SIGNED_IN,
    "web:home": SIGNED_IN,
    "web:health": PUBLIC,
    "people:search": Policy(Permission.SEARCH_PEOPLE),
    "people:detail": Policy(Permission.VIEW_RECORDS, record_level=True),
    "people:household": Policy(Permission.VIEW_RECORDS, record_level=True),
    "chronology:add": Policy(Permission.RECORD_CHRONOLOGY, record_level=True),
    "chronology:history": Policy(Permission.VIEW_RECORDS, record_level=True),
    "chronology:amend": Policy(Permission.RECORD_CHRONOLOGY, record_level=True),
    "chronology:retract": Policy(Permission.RECORD_CHRONOLOGY, record_level=True),
    "toolkit:library": Policy(Permission.USE_TOOLKIT),
    "toolkit:version": Policy(Permission.USE_TOOLKIT),
    "toolkit:child": Policy(Permission.VIEW_RECORDS, record_level=True),
    "toolkit:response": Policy(Permission.VIEW_RECORDS, record_level=True),
    "toolkit:start": Policy(Permission.USE_TOOLKIT, record_level=True),
    "toolkit:edit": Policy(Permission.USE_TOOLKIT, record_level=True),
    "toolkit:amend": Policy(Permission.USE_TOOLKIT, record_level=True),
    "plans:detail": Policy(Permission.VIEW_RECORDS, record_level=True),
    "plans:add_action": Policy(Permission.MANAGE_PLANS, record_level=True),
    "plans:edit_action": Policy(Permission.MANAGE_PLANS, record_level=True),
    "plans:add_review": Policy(Permission.MANAGE_PLANS, record_level=True),
    "plans:add_next_steps": Policy(Permission.MANAGE_PLANS, record_level=True),
    "alerts:mine": Policy(Permission.RESPOND_TO_ALERTS),
    "alerts:team": Policy(Permission.VIEW_TEAM_ALERTS),
    "alerts:detail": Policy(Permission.VIEW_RECORDS, record_level=True),
    "partnership:dataset": Policy(Permission.VIEW_PARTNERSHIP_FIGURES),
    "partnership:report": Policy(Permission.VIEW_PARTNERSHIP_FIGURES),
    "partnership:definitions": Policy(Permission.VIEW_PARTNERSHIP_FIGURES),
    "partnership:download": Policy(Permission.VIEW_PARTNERSHIP_FIGURES),
    "partnership:indicator": Policy(Permission.VIEW_PARTNERSHIP_FIGURES),
    "partnership:settings": Policy(Permission.MANAGE_REPORTING),
    "access:break_glass": Policy(Permission.BREAK_GLASS),
    "access:review_queue": Policy(Permission.REVIEW_BREAK_GLASS),
    "access:review": Policy(Permission.REVIEW_BREAK_GLASS),
    # Agency action plans and the Impact Framework: the agency checks are in the actions.
    "actionplans:list": Policy(Permission.VIEW_ACTION_PLANS),
    "actionplans:add_plan": Policy(Permission.UPDATE_ACTION_PLAN),
    "actionplans:summary": Policy(Permission.VIEW_ACTION_PLANS),
    "actionplans:impact": Policy(Permission.VIEW_ACTION_PLANS),
    "actionplans:add_evidence": Policy(Permission.RECORD_IMPACT_EVIDENCE),
    "actionplans:detail": Policy(Permission.VIEW_ACTION_PLANS),
    "actionplans:add_objective": Policy(Permission.UPDATE_ACTION_PLAN),
    "actionplans:add_action": Policy(Permission.UPDATE_ACTION_PLAN),
    "actionplans:action_detail": Policy(Permission.VIEW_ACTION_PLANS),
    "actionplans:add_update": Policy(Permission.UPDATE_ACTION_PLAN),
    "actionplans:sign_off": Policy(Permission.SIGN_OFF_ACTION_PLAN),
    "workforce:index": Policy(Permission.VIEW_ACTION_PLANS),
    "workforce:add_session": Policy(Permission.RECORD_TRAINING),
    "workforce:session": Policy(Permission.VIEW_ACTION_PLANS),
    "workforce:add_attendance": Policy(Permission.RECORD_TRAINING),
    "workforce:targets": Policy(Permission.RECORD_TRAINING),
    # Imports: counts, LA child IDs and problems, never a child's record.
    "interop:index": Policy(Permission.IMPORT_DATA),
    "interop:extracts": Policy(Permission.IMPORT_DATA),
    "interop:run": Policy(Permission.IMPORT_DATA),
    "interop:load": Policy(Permission.IMPORT_DATA),
    "interop:report_csv": Policy(Permission.IMPORT_DATA),
    # Who is who: the identifying fields of two source records side by side, never a chronology.
    "linkage:queue": Policy(Permission.REVIEW_MATCHES),
    "linkage:pair": Policy(Permission.REVIEW_MATCHES),
    "linkage:merges": Policy(Permission.REVIEW_MATCHES),
    "linkage:merge": Policy(Permission.REVIEW_MATCHES),
    "audit:person": Policy(Permission.VIEW_AUDIT_TRAIL),
    "audit:user": Policy(Permission.VIEW_AUDIT_TRAIL),
    "audit:index": Policy(Permission.VIEW_AUDIT_TRAIL),
    "api:schema": SIGNED_IN,
    "api:people_search": Policy(Permission.SEARCH_PEOPLE),
    "api:person_record": Policy(Permission.VIEW_RECORDS, record_level=True),
    "api:recording_analyse": Policy(Permission.RECORD_CHRONOLOGY),
    "api:dataset": Policy(Permission.VIEW_PARTNERSHIP_FIGURES),
    # Partner systems: a practitioner's permissions through the agency's service user, plus the
    # credential's scope (checked by the view); the record-level check is in the view too.
    "api:partner_lookup": Policy(Permission.SEARCH_PEOPLE),
    "api:partner_chronology": Policy(Permission.VIEW_RECORDS, record_level=True),
    "api:partner_post_entry": Policy(Permission.RECORD_CHRONOLOGY),
    "api:partner_post_involvement": Policy(Permission.RECORD_CHRONOLOGY),
    "api:partner_post_person_record": Policy(Permission.RECORD_CHRONOLOGY),
    "api:credentials": Policy(Permission.MANAGE_API_CREDENTIALS),
    "api:credential_revoke": Policy(Permission.MANAGE_API_CREDENTIALS),
}
