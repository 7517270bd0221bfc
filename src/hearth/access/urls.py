from django.urls import path
app_name = "access"
urlpatterns: list = []
