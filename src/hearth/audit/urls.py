from django.urls import path

from hearth.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.index, name="index"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("users/", views.user, name="user"),
]
