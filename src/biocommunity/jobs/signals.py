"""A failed job is tried again later, whoever ran it (``biocommunity worker`` or db_worker)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django_tasks.signals import task_finished

from biocommunity.jobs import services


@receiver(task_finished, dispatch_uid="jobs_retry_failed")
def retry_failed(sender: Any, task_result: Any, **kwargs: Any) -> None:
    services.schedule_retry(str(task_result.id))
