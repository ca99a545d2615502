from django.urls import path

from biocommunity.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.home, name="home"),
    path("hubs/<slug:key>/", views.hub_detail, name="hub"),
    path("directory/", views.directory_page, name="directory"),
    path("directory/organizations.<str:fmt>", views.directory_download, name="directory-download"),
    path("organizations/<slug:key>/", views.organization_detail, name="organization"),
    path("organizations/<slug:key>/edit/", views.organization_edit, name="organization-edit"),
    path(
        "organizations/<slug:key>/history/", views.organization_history, name="organization-history"
    ),
    path("open-data/", views.open_data, name="open-data"),
    path("open-data/organizations.<str:fmt>", views.open_data_download, name="open-data-download"),
    path("secretariat/import/", views.import_page, name="import"),
]
