from typing import Any

from django import forms

from hearth.web.forms import GovukFormMixin


class ResponseMetaForm(GovukFormMixin, forms.Form):
    """Who a response is about, beyond the child: the carer observed, or siblings it covers."""

    carer = forms.TypedChoiceField(
        label="Which carer is this about?",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="Complete one for each carer, including fathers and partners.",
    )
    siblings = forms.TypedMultipleChoiceField(
        label="Does this also cover the child's brothers or sisters?",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only when the assessment truly covers each of them; every child's experience is different.",
    )

    def __init__(
        self,
        *args: Any,
        carers: list[tuple[int, str]] | None = None,
        siblings: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carer"].choices = [("", "Choose a carer"), *(carers or [])]  # type: ignore[attr-defined]
        self.fields["siblings"].choices = siblings or []  # type: ignore[attr-defined]


class AmendReasonForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why are you amending this response?",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The version as completed stays in the response's history, with your reason.",
    )
