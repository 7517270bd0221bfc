from django.urls import path

from hearth.linkage import views

app_name = "linkage"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("reviews/<int:review_id>/", views.pair, name="pair"),
    path("merges/", views.merges, name="merges"),
    path("merges/<int:merge_id>/", views.merge_detail, name="merge"),
]
