from django import forms

from hearth.alerts.models import ResponseKind
from hearth.web.forms import GovukFormMixin


class RespondForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="Your response",
        choices=ResponseKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your response."},
    )
    note = forms.CharField(
        label="What you did, or why no action is needed",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what you did, or why no action is needed."},
    )
    close = forms.BooleanField(
        label="Close the alert",
        required=False,
        help_text="Close it when the response is complete. It stays on record with your reason.",
    )
