"""The queue's state for the secretariat, and its retry action (thin: services decide)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from biocommunity.jobs import services


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    state = services.queue_state(request.user)
    return render(request, "jobs/queue.html", {"state": state})


@login_required
@require_POST
def retry(request: HttpRequest, job_id: str) -> HttpResponse:
    try:
        services.retry(request.user, job_id)
    except services.JobError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The job will run again when a worker is free."))
    return redirect("jobs:queue")
