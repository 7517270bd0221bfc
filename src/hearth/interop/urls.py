from django.urls import path

from hearth.interop import views

app_name = "interop"
urlpatterns = [
    path("", views.index, name="index"),
    path("extracts/", views.extracts_index, name="extracts"),
    path("runs/<int:run_id>/", views.run, name="run"),
    path("runs/<int:run_id>/load/", views.load, name="load"),
    path("runs/<int:run_id>/report.csv", views.report_csv, name="report_csv"),
]
