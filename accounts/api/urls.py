from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api import views

app_name = "accounts"
router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("users", views.UserViewSet, basename="user")
router.register("teams", views.TeamViewSet, basename="team")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("token/", views.TokenView.as_view(), name="token"),
    *router.urls,
]
