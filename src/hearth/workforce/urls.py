from django.urls import path

from hearth.workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.index, name="index"),
    path("sessions/add/", views.add_session, name="add_session"),
    path("sessions/<int:session_id>/", views.session, name="session"),
    path(
        "sessions/<int:session_id>/attendance/add/",
        views.add_attendance,
        name="add_attendance",
    ),
    path("targets/", views.targets, name="targets"),
]
