from django.urls import path

from hearth.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.my_alerts, name="mine"),
    path("team/", views.team_alerts, name="team"),
    path("<int:person_id>/<int:alert_id>/", views.detail, name="detail"),
]
