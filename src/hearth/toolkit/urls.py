from django.urls import path

from hearth.toolkit import views

app_name = "toolkit"
urlpatterns = [
    path("tools/", views.library, name="library"),
    path("tools/<slug:code>/<int:version>/", views.version_detail, name="version"),
    path("<int:person_id>/", views.child_toolkit, name="child"),
    path("<int:person_id>/new/<slug:code>/", views.start, name="start"),
    path("<int:person_id>/responses/<int:response_id>/", views.response_detail, name="response"),
    path("<int:person_id>/responses/<int:response_id>/edit/", views.edit, name="edit"),
    path("<int:person_id>/responses/<int:response_id>/amend/", views.amend, name="amend"),
]
