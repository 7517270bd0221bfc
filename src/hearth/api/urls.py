from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from hearth.api import views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("people/", views.people_search, name="people_search"),
    path("people/<int:person_id>/", views.person_record, name="person_record"),
    path("recording/analyse/", views.recording_analyse, name="recording_analyse"),
    path("dataset/", views.dataset, name="dataset"),
]
