"""Pages of people: account, notices, invitations, user management (under /accounts/)."""

from django.urls import path  # noqa: F401

from biocommunity.people import views

app_name = "people"
urlpatterns: list = []
# Own account, invitation links, user management for the secretariat.
urlpatterns += [
    path("me/", views.account, name="account"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("users/", views.users, name="users"),
    path("users/invite/", views.invite, name="invite"),
    path("users/contacts/", views.contacts, name="contacts"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/resend/", views.user_resend, name="user_resend"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/role/", views.user_role, name="user_role"),
]
