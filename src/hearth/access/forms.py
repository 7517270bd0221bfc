from django import forms

from hearth.access.models import BreakGlassReason, GrantStatus
from hearth.web.forms import GovukFormMixin


class BreakGlassForm(GovukFormMixin, forms.Form):
    reason_category = forms.ChoiceField(
        label="Why do you need to see this record?",
        choices=BreakGlassReason.choices,
        widget=forms.RadioSelect,
    )
    justification = forms.CharField(
        label="Explain why, and why it cannot wait",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="This is shown to the information-governance officer and the lead agency, who will review it.",
    )


class ReviewForm(GovukFormMixin, forms.Form):
    outcome = forms.ChoiceField(
        label="Was this access appropriate?",
        choices=[
            (GrantStatus.CLOSED_APPROPRIATE, "Yes: close the review"),
            (GrantStatus.CLOSED_INAPPROPRIATE, "No: end the access now and escalate"),
        ],
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label="What you checked and concluded", widget=forms.Textarea(attrs={"rows": 4})
    )
