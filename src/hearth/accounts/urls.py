from django.urls import path

from hearth.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.LoginView.as_view(), name="login"),
    path("sign-out/", views.LogoutView.as_view(), name="logout"),
    path("mfa/setup/", views.mfa_setup, name="mfa_setup"),
    path("mfa/setup/qr.svg", views.mfa_qr, name="mfa_qr"),
    path("mfa/verify/", views.mfa_verify, name="mfa_verify"),
]
