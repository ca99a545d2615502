from django.urls import path

from biocommunity.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<uuid:job_id>/retry/", views.retry, name="retry"),
]
