from django.urls import path

from hearth.chronology import views

app_name = "chronology"
urlpatterns = [
    path("<int:person_id>/add/", views.add, name="add"),
    path("<int:person_id>/entries/<int:entry_id>/", views.history, name="history"),
    path("<int:person_id>/entries/<int:entry_id>/amend/", views.amend, name="amend"),
    path("<int:person_id>/entries/<int:entry_id>/retract/", views.retract, name="retract"),
]
