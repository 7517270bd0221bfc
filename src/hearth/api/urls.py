from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from hearth.api import partner, screens, views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("people/", views.people_search, name="people_search"),
    path("people/<int:person_id>/", views.person_record, name="person_record"),
    path("recording/analyse/", views.recording_analyse, name="recording_analyse"),
    path("dataset/", views.dataset, name="dataset"),
    path("partner/children/lookup/", partner.lookup, name="partner_lookup"),
    path(
        "partner/children/<int:person_id>/chronology/",
        partner.chronology,
        name="partner_chronology",
    ),
    path("partner/chronology/", partner.post_entry, name="partner_post_entry"),
    path("partner/involvements/", partner.post_involvement, name="partner_post_involvement"),
    path("partner/people/", partner.post_person_record, name="partner_post_person_record"),
    path("credentials/", screens.credentials, name="credentials"),
    path("credentials/<int:credential_id>/revoke/", screens.revoke, name="credential_revoke"),
]
