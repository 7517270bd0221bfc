from django.urls import path

from hearth.actionplans import views

app_name = "actionplans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("start/", views.add_plan, name="add_plan"),
    path("summary/", views.summary, name="summary"),
    path("impact/", views.impact, name="impact"),
    path("impact/add/", views.add_evidence, name="add_evidence"),
    path("<int:action_plan_id>/", views.detail, name="detail"),
    path("<int:action_plan_id>/objectives/add/", views.add_objective, name="add_objective"),
    path("<int:action_plan_id>/actions/add/", views.add_action, name="add_action"),
    path(
        "<int:action_plan_id>/actions/<int:agency_action_id>/",
        views.action_detail,
        name="action_detail",
    ),
    path(
        "<int:action_plan_id>/actions/<int:agency_action_id>/updates/add/",
        views.add_update,
        name="add_update",
    ),
    path("<int:action_plan_id>/sign-off/", views.sign_off, name="sign_off"),
]
