"""Putting a service's ValidationError onto the form that called it, field by field."""

from typing import Any

from django.core.exceptions import ValidationError


def apply_validation_error(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
