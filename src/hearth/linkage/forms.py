from typing import Any

from django import forms

from hearth.linkage.models import ReviewStatus
from hearth.web.forms import GovukFormMixin


class DecisionForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Are these two records the same person?",
        choices=[
            (ReviewStatus.SAME, "Same person: merge them"),
            (ReviewStatus.DIFFERENT, "Different people: never propose this pair again"),
            (ReviewStatus.NOT_SURE, "Not sure: leave it for a second reviewer"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose same person, different people or not sure."},
    )
    reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What convinced you, for the next reviewer and for evaluation of the model.",
        error_messages={"required": "Say why you decided this."},
    )

    def __init__(self, *args: Any, not_sure_allowed: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not not_sure_allowed:
            field = self.fields["decision"]
            field.choices = [c for c in field.choices if c[0] != ReviewStatus.NOT_SURE]  # type: ignore[attr-defined]


class UndoMergeForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why undo this merge?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the merge is being undone."},
    )
