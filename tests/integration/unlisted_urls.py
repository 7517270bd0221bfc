"""A URL configuration with views nobody declared in the policy table, to prove it fails closed.

Used only by `test_url_policy.py` through `override_settings(ROOT_URLCONF=...)`.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

SECRET = "unlisted view body: should never be served"


def unlisted(request: HttpRequest, person_id: int | None = None) -> HttpResponse:
    return HttpResponse(SECRET)


urlpatterns = [
    path("", include("hearth.urls")),
    path("unlisted/", unlisted, name="unlisted"),
    path("unlisted/<int:person_id>/", unlisted, name="unlisted_person"),
    path("unnamed/", unlisted),
]
