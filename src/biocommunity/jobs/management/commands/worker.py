"""``biocommunity worker``: run queued background jobs (the database backend's worker).

It is ``django_tasks_db``'s ``db_worker`` with the same options (``--batch`` to run what is due
and exit, ``--queue-name '*'``, ``--interval``, ``--max-tasks``); failed jobs are retried with
backoff by ``biocommunity.jobs.signals``. With another backend (RQ, Celery) run that backend's
own worker instead (docs/jobs.md).
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand


class Command(DBWorkerCommand):
    help = "Run queued background jobs (e-mail, profile embedding, saved-search notices)."
