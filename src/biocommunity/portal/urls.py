from django.urls import path

from biocommunity.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.search_page, name="search"),
]
