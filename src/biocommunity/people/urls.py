"""Pages of people: account, notices, invitations, user management (under /accounts/)."""

from django.urls import path

from biocommunity.people import notice_views, views

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
# Notices: the list, a notice's link (marks it read), mark one or all read.
urlpatterns += [
    path("notices/", notice_views.notice_list, name="notices"),
    path("notices/<int:pk>/", notice_views.notice_open, name="notice_open"),
    path("notices/read/", notice_views.notice_mark_read, name="notices_read"),
]
