from django.urls import path

from accounts.web.views import SignInView, SignOutView

app_name = "accounts-web"

urlpatterns = [
    path("sign-in/", SignInView.as_view(), name="sign-in"),
    path("sign-out/", SignOutView.as_view(), name="sign-out"),
]
