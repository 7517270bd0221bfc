from django import forms

from hearth.interop.models import ImportMode


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
