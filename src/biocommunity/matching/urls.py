from django.urls import path

from biocommunity.matching import views

app_name = "matching"
urlpatterns = [
    path("", views.index, name="index"),
    path("saved/", views.save_search, name="save_search"),
    path("saved/<int:pk>/delete/", views.delete_search, name="delete_search"),
    path("profiles/", views.profile_list, name="profiles"),
    path("profiles/new/", views.profile_new, name="profile_new"),
    path("profiles/<int:pk>/", views.profile_detail, name="profile"),
    path("profiles/<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("profiles/<int:pk>/introduce/", views.request_introduction, name="request_introduction"),
    path("introductions/", views.introduction_list, name="introductions"),
    path("introductions/<int:pk>/", views.introduction_action, name="introduction_action"),
    path("secretariat/pipeline/", views.pipeline, name="pipeline"),
    path("secretariat/forwarding/", views.forwarding, name="forwarding"),
    path("secretariat/import/", views.import_page, name="import"),
    path("export/", views.export, name="export"),
]
