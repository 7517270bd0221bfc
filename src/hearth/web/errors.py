"""Putting a service's ValidationError onto the form that called it, field by field; and the
answer to a URL that matches nothing."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found


def apply_validation_error(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A URL that matches nothing: JSON for the API (its clients read JSON), Django's page otherwise."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)
