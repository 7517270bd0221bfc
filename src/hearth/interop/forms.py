from django import forms

from hearth.agencies.models import Agency
from hearth.interop.extracts import KINDS
from hearth.interop.models import ImportKind, ImportMode


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CIN census file (XML)",
        help_text="The return your case management system produces for the Department for "
        "Education. Nothing is loaded until you have seen the check and chosen to load it.",
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload", "accept": ".xml"}),
    )


class LoadForm(forms.Form):
    mode = forms.ChoiceField(
        label="What to load",
        choices=[
            (ImportMode.REJECT, "The whole file (only if no child has an error)"),
            (ImportMode.PARTIAL, "The children without errors, holding back the others"),
        ],
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
    )


class ExtractUploadForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.order_by("name"),
        to_field_name="code",
        empty_label="Choose the agency whose system produced the file",
        help_text="Its records are matched by this agency's references (its source system).",
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[(k, ImportKind(k).label.removeprefix("Agency extract: ")) for k in KINDS],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    file = forms.FileField(
        label="Extract (CSV or Excel)",
        help_text="With the columns of its kind in the first row (see the import guide). Nothing "
        "is loaded until you have seen the check and chosen to load it.",
        widget=forms.ClearableFileInput(
            attrs={"class": "govuk-file-upload", "accept": ".csv,.xlsx,.txt"}
        ),
    )


class ExtractLoadForm(forms.Form):
    mode = forms.ChoiceField(
        label="What to load",
        choices=[
            (ImportMode.REJECT, "The whole file (only if no row has an error)"),
            (ImportMode.PARTIAL, "The rows without errors, leaving out the rejected rows"),
        ],
        widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
    )
