"""GOV.UK Design System classes for Django form widgets, applied in one place."""

from typing import Any

from django import forms

_WIDGET_CLASSES: list[tuple[type[forms.Widget], str]] = [
    (forms.CheckboxSelectMultiple, "govuk-checkboxes__input"),
    (forms.RadioSelect, "govuk-radios__input"),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (forms.Textarea, "govuk-textarea"),
    (forms.Select, "govuk-select"),
    (forms.DateInput, "govuk-input govuk-input--width-10"),
    (forms.NumberInput, "govuk-input govuk-input--width-4"),
    (forms.TextInput, "govuk-input"),
    (forms.PasswordInput, "govuk-input"),
]


def apply_govuk_classes(fields: dict[str, forms.Field]) -> None:
    for field in fields.values():
        widget = field.widget
        for widget_type, css in _WIDGET_CLASSES:
            if isinstance(widget, widget_type):
                widget.attrs.setdefault("class", css)
                break


class GovukFormMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        apply_govuk_classes(self.fields)  # type: ignore[attr-defined]

    def widget_kind(self, name: str) -> str:
        widget = self.fields[name].widget  # type: ignore[attr-defined]
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return "checkboxes"
        if isinstance(widget, forms.RadioSelect):
            return "radios"
        if isinstance(widget, forms.CheckboxInput):
            return "checkbox"
        return "input"


class DateField(forms.DateField):
    """Accepts the formats UK practitioners type: 2024-03-05, 05/03/2024, 5/3/2024."""

    # An HTML date input only accepts ISO dates; typed UK formats are still accepted on submit.
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    input_formats = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y"]


class PlanYearField(forms.CharField):
    """A plan year (April to March) written like 2025-26; the actions parse and check it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Plan year")
        kwargs.setdefault("max_length", 9)
        kwargs.setdefault("help_text", "April to March, written like 2025-26.")
        kwargs.setdefault("error_messages", {"required": "Enter the plan year, like 2025-26."})
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5"})
        )
        super().__init__(**kwargs)
