"""Pages of people: account, notices, invitations, user management (under /accounts/)."""

from django.urls import path  # noqa: F401

app_name = "people"
urlpatterns: list = []
