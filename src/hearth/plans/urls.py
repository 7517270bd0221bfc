from django.urls import path

from hearth.plans import views

app_name = "plans"
urlpatterns = [
    path("<int:person_id>/<int:plan_id>/", views.detail, name="detail"),
    path("<int:person_id>/<int:plan_id>/actions/add/", views.edit_action, name="add_action"),
    path(
        "<int:person_id>/<int:plan_id>/actions/<int:action_id>/",
        views.edit_action,
        name="edit_action",
    ),
    path("<int:person_id>/<int:plan_id>/reviews/add/", views.add_review, name="add_review"),
    path("<int:person_id>/<int:plan_id>/next-steps/", views.add_next_steps, name="add_next_steps"),
]
