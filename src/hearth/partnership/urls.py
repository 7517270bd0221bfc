from django.urls import path

from hearth.partnership import views

app_name = "partnership"
urlpatterns = [
    path("dataset/", views.dataset_page, name="dataset"),
    path("dataset/report/", views.report, name="report"),
    path("dataset/definitions/", views.definitions, name="definitions"),
    path("dataset/settings/", views.edit_settings, name="settings"),
    path("dataset/download.<str:fmt>", views.download, name="download"),
    path("dataset/<slug:indicator>/", views.indicator_detail, name="indicator"),
]
