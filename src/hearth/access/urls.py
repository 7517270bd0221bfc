from django.urls import path

from hearth.access import views

app_name = "access"
urlpatterns = [
    path("break-glass/<int:person_id>/", views.break_glass, name="break_glass"),
    path("reviews/", views.review_queue, name="review_queue"),
    path("reviews/<int:grant_id>/", views.review, name="review"),
]
