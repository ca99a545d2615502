"""The job queue: enqueue after commit, retry with backoff, and its state for the secretariat.

Jobs are ``@task`` functions beside the services they call (``people/tasks.py``,
``matching/tasks.py``) and take ids only. With the database backend (the default) they wait in
``django_tasks_db``'s table until ``biocommunity worker`` runs them; a failed one is set back to
ready with a later ``run_after`` (1, 4, 16 … minutes) until it has been tried
``BIOCOMMUNITY_JOBS_MAX_ATTEMPTS`` times, then it stays failed, with its error, on the queue page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from biocommunity.core import roles

BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_FACTOR = 4
BACKOFF_MAX = timedelta(hours=6)
LISTED = 200  # rows per state on the page: the newest first


class JobError(Exception):
    """A job that cannot be retried (unknown, or not failed)."""


def max_attempts() -> int:
    return max(1, int(getattr(settings, "BIOCOMMUNITY_JOBS_MAX_ATTEMPTS", 5)))


def backoff(attempts: int) -> timedelta:
    """How long to wait before the next try after ``attempts`` failed ones."""
    exponent = min(max(0, attempts - 1), 16)  # past the cap anyway; keeps the product small
    return min(BACKOFF_BASE * BACKOFF_FACTOR**exponent, BACKOFF_MAX)


def enqueue_after_commit(task: Any, *args: Any) -> None:
    """Enqueue ``task(*args)`` once the current transaction commits; never if it rolls back.

    ``robust``: a queue that cannot be reached is logged; the action that caused the job has
    succeeded and the work is picked up by its own fallback (the outbox, the first search).
    """
    transaction.on_commit(lambda: task.enqueue(*args), robust=True)


def schedule_retry(job_id: str, *, now: Any = None) -> bool:
    """If this job failed and has attempts left, make it ready again after a backoff.

    The attempts are the workers that claimed it (``worker_ids`` grows by one per run), so the
    count survives restarts; the last error stays on the row until a run succeeds.
    """
    job = DBTaskResult.objects.filter(id=job_id, status=TaskResultStatus.FAILED).first()
    if job is None:
        return False
    attempts = len(job.worker_ids)
    if attempts >= max_attempts():
        return False
    job.status = TaskResultStatus.READY
    job.run_after = (now or timezone.now()) + backoff(attempts)
    job.finished_at = None
    job.save(update_fields=["status", "run_after", "finished_at"])
    return True


@dataclass(frozen=True)
class JobRow:
    id: str
    name: str
    status: str
    attempts: int
    enqueued_at: Any
    run_after: Any
    finished_at: Any
    error: str
    traceback: str
    args: str


@dataclass(frozen=True)
class QueueState:
    queued: list[JobRow]
    running: list[JobRow]
    failed: list[JobRow]
    succeeded: int
    max_attempts: int


def _row(job: DBTaskResult) -> JobRow:
    far = job.run_after.year >= 9999
    lines = [line for line in job.traceback.strip().splitlines() if line.strip()]
    return JobRow(
        id=str(job.id),
        name=job.task_path.rsplit(".", 1)[-1],
        status=job.status,
        attempts=len(job.worker_ids),
        enqueued_at=job.enqueued_at,
        run_after=None if far else job.run_after,
        finished_at=job.finished_at,
        error=lines[-1] if lines else "",
        traceback=job.traceback,
        args=", ".join(str(a) for a in job.args_kwargs.get("args", [])),
    )


def queue_state(user: Any) -> QueueState:
    """Queued (with any earlier error), running and failed jobs, newest first."""
    if not roles.is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may do this."))
    jobs = DBTaskResult.objects.order_by("-enqueued_at")

    def rows(status: str) -> list[JobRow]:
        return [_row(j) for j in jobs.filter(status=status)[:LISTED]]

    return QueueState(
        queued=rows(TaskResultStatus.READY),
        running=rows(TaskResultStatus.RUNNING),
        failed=rows(TaskResultStatus.FAILED),
        succeeded=jobs.filter(status=TaskResultStatus.SUCCESSFUL).count(),
        max_attempts=max_attempts(),
    )


@transaction.atomic
def retry(user: Any, job_id: str) -> None:
    """Run a failed job again as soon as a worker is free, with a fresh set of attempts."""
    if not roles.is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may do this."))
    job = (
        DBTaskResult.objects.select_for_update()
        .filter(id=job_id, status=TaskResultStatus.FAILED)
        .first()
    )
    if job is None:
        raise JobError(_("This job is not failed (any more)."))
    job.status = TaskResultStatus.READY
    job.run_after = timezone.now()
    job.finished_at = None
    job.worker_ids = []
    job.save(update_fields=["status", "run_after", "finished_at", "worker_ids"])
