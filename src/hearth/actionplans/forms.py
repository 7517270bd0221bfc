"""Forms for action plans and the Impact Framework: shape and messages only; the actions validate the rules."""

import re
from typing import Any

from django import forms

from hearth.actionplans.models import (
    ActionUpdate,
    EvidenceSource,
    PlanObjective,
    Rag,
    StrategicObjective,
)
from hearth.agencies.models import Agency
from hearth.lib.periods import Quarter
from hearth.web.forms import DateField, GovukFormMixin, PlanYearField


class ActionPlanForm(GovukFormMixin, forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.order_by("name"),
        error_messages={"required": "Choose the agency whose plan this is."},
    )
    plan_year = PlanYearField()
    title = forms.CharField(label="Title (optional)", max_length=200, required=False)

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]


class ObjectiveForm(GovukFormMixin, forms.Form):
    strategic_objective = forms.ChoiceField(
        label="Strategic objective",
        choices=StrategicObjective.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the strategic objective this comes under."},
    )
    description = forms.CharField(
        label="What the agency means to achieve",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: 'Every health visitor recognises the signs of neglect in babies "
        "under one and uses the graded care tool when they do.'",
        error_messages={"required": "Describe what the agency means to achieve."},
    )


class AgencyActionForm(GovukFormMixin, forms.Form):
    objective = forms.ModelChoiceField(
        label="Objective",
        queryset=PlanObjective.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose the objective this action is for."},
    )
    description = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what will be done."},
    )
    owner = forms.CharField(
        label="Owner",
        max_length=200,
        help_text="A named person or role: 'Named nurse for safeguarding', not 'all staff'.",
        error_messages={"required": "Name the person or role who owns this action."},
    )
    due_date = DateField(
        label="Due date", error_messages={"required": "Enter the date this action is due."}
    )
    measure_of_impact = forms.CharField(
        label="Measure of impact",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How you will know it made a difference for children: 'The share of "
        "assessments using the day in my life tool rises from 40% to 80%'.",
        error_messages={"required": "Say how you will know it made a difference."},
    )
    first_quarter = forms.CharField(
        label="First quarter to report on (optional)",
        required=False,
        max_length=7,
        help_text="Like 2025Q3 (July to September 2025). Leave blank for the current quarter.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )

    def __init__(self, *args: Any, objectives: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["objective"]
        field.queryset = objectives  # type: ignore[attr-defined]
        field.label_from_instance = (  # type: ignore[attr-defined]
            lambda o: f"{o.get_strategic_objective_display()}: {o.description}"
        )


class UpdateForm(GovukFormMixin, forms.Form):
    quarter = forms.ChoiceField(
        label="Quarter",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the quarter this update is for."},
    )
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=[
            (Rag.RED, "Red: not on track, and the impact is at risk"),
            (Rag.AMBER, "Amber: some progress, with risks or delays"),
            (Rag.GREEN, "Green: on track, with evidence of impact"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a RAG rating: red, amber or green."},
    )
    narrative = forms.CharField(
        label="Progress and impact this quarter",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe the progress made this quarter and its impact."},
    )
    evidence = forms.CharField(
        label="Evidence (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What shows it: an audit, figures, practitioners' or children's feedback.",
    )
    marks_complete = forms.BooleanField(label="This action is now complete", required=False)
    correction_reason = forms.CharField(
        label="Reason for correcting (only if this quarter already has an update)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="The earlier update is kept and shown as corrected.",
    )

    def __init__(self, *args: Any, quarters: list[Quarter] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [  # type: ignore[attr-defined]
            (q.code, f"{q.label} ({q.period.dates_label})") for q in reversed(quarters or [])
        ]


class SignOffForm(GovukFormMixin, forms.Form):
    quarter = forms.ChoiceField(
        label="Quarter to sign off",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the quarter you are signing off."},
    )
    comment = forms.CharField(
        label="Comment (optional)", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, quarters: list[Quarter] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [  # type: ignore[attr-defined]
            (q.code, f"{q.label} ({q.period.dates_label})") for q in reversed(quarters or [])
        ]


class UpdateChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ActionUpdate) -> str:
        plan = obj.action.objective.plan
        return (
            f"{plan.agency.name}, {obj.action.objective.get_strategic_objective_display()}: "
            f"{obj.action.description} ({obj.get_rag_display()})"
        )


class EvidenceForm(GovukFormMixin, forms.Form):
    quarter = forms.CharField(widget=forms.HiddenInput)
    strategic_objective = forms.ChoiceField(
        label="Strategic objective",
        choices=StrategicObjective.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the strategic objective this is evidence for."},
    )
    source = forms.ChoiceField(
        label="Source of the evidence",
        choices=EvidenceSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where this evidence comes from."},
    )
    summary = forms.CharField(
        label="What the evidence shows",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Summarise what the evidence shows."},
    )
    indicator_codes = forms.CharField(
        label="Dataset indicators it draws on (optional)",
        required=False,
        help_text="Indicator codes separated by commas or spaces, like cp_neglect_share_latest, "
        "rereferrals_12m.",
    )
    updates = UpdateChoiceField(
        label="Action-plan updates that support it (optional)",
        queryset=ActionUpdate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, updates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if updates is not None:
            self.fields["updates"].queryset = updates  # type: ignore[attr-defined]

    def clean_indicator_codes(self) -> list[str]:
        return [c for c in re.split(r"[\s,;]+", self.cleaned_data["indicator_codes"]) if c]
