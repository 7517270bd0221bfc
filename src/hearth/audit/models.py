"""The audit trail: append-only, and free of foreign keys so no merge or correction can erase it."""

from django.db import models

from hearth.lib.immutable import ImmutableModel


class AuditAction(models.TextChoices):
    VIEW_PERSON = "view_person", "Viewed a record"
    VIEW_HOUSEHOLD = "view_household", "Viewed a household"
    VIEW_LIST = "view_list", "Viewed a list of people"
    VIEW_ENTRY_HISTORY = "view_entry_history", "Viewed an entry's history"
    SEARCH = "search", "Searched"
    CREATE_ENTRY = "create_entry", "Added a chronology entry"
    AMEND_ENTRY = "amend_entry", "Amended a chronology entry"
    RETRACT_ENTRY = "retract_entry", "Retracted a chronology entry"
    CREATE_PERSON = "create_person", "Created a record"
    UPDATE_PERSON = "update_person", "Updated a record"
    RECORD_INVOLVEMENT = "record_involvement", "Recorded an involvement"
    DENIED = "denied", "Refused access"
    BREAK_GLASS = "break_glass", "Broke glass"
    BREAK_GLASS_REVIEW = "break_glass_review", "Reviewed a break-glass access"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed to sign in"
    SIGN_OUT = "sign_out", "Signed out"
    MFA_ENROLLED = "mfa_enrolled", "Set up multi-factor sign-in"
    MFA_FAILED = "mfa_failed", "Failed a multi-factor check"
    VIEW_AUDIT = "view_audit", "Viewed the audit trail"
    EXPORT = "export", "Exported data"
    IMPORT = "import", "Imported data"
    VIEW_TOOL = "view_tool", "Viewed a toolkit response"
    SAVE_TOOL_DRAFT = "save_tool_draft", "Saved a toolkit draft"
    COMPLETE_TOOL = "complete_tool", "Completed a toolkit response"
    AMEND_TOOL = "amend_tool", "Amended a toolkit response"
    PUBLISH_TOOL = "publish_tool", "Published a tool version"
    VIEW_PLAN = "view_plan", "Viewed a plan"
    RECORD_PLAN_ACTION = "record_plan_action", "Recorded a plan action"
    RECORD_PLAN_REVIEW = "record_plan_review", "Recorded a plan review"
    VIEW_ALERT = "view_alert", "Viewed an alert"
    RESPOND_TO_ALERT = "respond_to_alert", "Responded to an alert"
    UPDATE_SETTINGS = "update_settings", "Changed the reporting settings"
    CREATE_API_CREDENTIAL = "create_api_credential", "Made an API credential"
    REVOKE_API_CREDENTIAL = "revoke_api_credential", "Revoked an API credential"
    CREATE_ACTION_PLAN = "create_action_plan", "Started an agency action plan"
    RECORD_PLAN_OBJECTIVE = "record_plan_objective", "Added an action-plan objective"
    RECORD_AGENCY_ACTION = "record_agency_action", "Added an action-plan action"
    RECORD_RAG_UPDATE = "record_rag_update", "Recorded a quarterly action-plan update"
    SIGN_OFF_ACTION_PLAN = "sign_off_action_plan", "Signed off an action plan's quarter"
    RECORD_IMPACT_EVIDENCE = "record_impact_evidence", "Recorded Impact Framework evidence"
    RECORD_TRAINING = "record_training", "Recorded a training session"
    RECORD_ATTENDANCE = "record_attendance", "Recorded training attendance"
    SET_TRAINING_TARGET = "set_training_target", "Set a training target"
    UPLOAD_IMPORT = "upload_import", "Uploaded a file to import"
    REJECT_IMPORT = "reject_import", "An import was rejected"
    VIEW_MATCH = "view_match", "Viewed a possible match"
    DECIDE_MATCH = "decide_match", "Decided a possible match"
    MERGE_PEOPLE = "merge_people", "Merged two records of one person"
    UNMERGE_PEOPLE = "unmerge_people", "Undid a merge"
    LINK_RUN = "link_run", "Ran record linkage"
    TRAIN_LINKAGE = "train_linkage", "Trained the linkage model"


class AuditEvent(ImmutableModel):
    at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=24, choices=AuditAction.choices)
    # Who: copied as text, so deleting or renaming a user cannot change history.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_agency = models.CharField(max_length=40, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    # Whose record: a plain id, never a foreign key.
    person_id = models.BigIntegerField(null=True, blank=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["person_id", "-at"], name="audit_person_idx"),
            models.Index(fields=["actor_id", "-at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"
