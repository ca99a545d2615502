"""The job queue: enqueued only after commit, failed jobs retried with backoff, and the queue's
state (with errors and a retry action) shown to the secretariat only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from biocommunity.jobs import services
from biocommunity.people.services import notices
from tests.conftest import assert_status, login
from tests.factories import OrganizationFactory, member_user, secretariat_user

pytestmark = pytest.mark.django_db


@task()
def explode(label: str) -> None:
    """A job that always fails, to see the retries and the page."""
    raise RuntimeError(f"mail server said no to {label}")


def run_worker() -> None:
    """The worker, once, in this process. It closes stale connections between jobs as a request
    does; inside a test's transaction that would close the test's own (PostgreSQL), so not here."""
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    ):
        call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_backoff_grows_and_is_bounded() -> None:
    assert [services.backoff(n) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=4),
        timedelta(minutes=16),
    ]
    assert services.backoff(50) == services.BACKOFF_MAX


def test_an_email_becomes_a_job_after_commit_and_the_worker_sends_it(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.BIOCOMMUNITY_EMAIL_DELIVERY = "queue"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = notices.queue_email("a@example.org", "Subject", "Body")
        assert not DBTaskResult.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    job = DBTaskResult.objects.get()
    assert job.task_path == "biocommunity.people.services.notices.deliver_emails"
    assert job.args_kwargs["args"] == [[email.pk]]
    assert mail.outbox == []
    run_worker()
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL", job.traceback
    assert [m.to for m in mail.outbox] == [["a@example.org"]]


def test_no_job_when_the_transaction_rolls_back(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.BIOCOMMUNITY_EMAIL_DELIVERY = "queue"
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notices.queue_email("a@example.org", "Subject", "Body")
        raise RuntimeError("the action failed")
    assert callbacks == []
    assert not DBTaskResult.objects.exists()


def test_enqueue_after_commit_waits_for_the_commit(django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.enqueue_after_commit(explode, "x")
        assert not DBTaskResult.objects.exists()
    assert DBTaskResult.objects.get().args_kwargs["args"] == ["x"]


def _fail_until_given_up(settings: Any) -> DBTaskResult:
    settings.BIOCOMMUNITY_JOBS_MAX_ATTEMPTS = 3
    result = explode.enqueue("newsletter")
    job = DBTaskResult.objects.get(id=result.id)
    for attempt in (1, 2):
        run_worker()
        job.refresh_from_db()
        assert job.status == "READY", f"attempt {attempt} was not retried"
        assert len(job.worker_ids) == attempt
        assert "mail server said no to newsletter" in job.traceback
        # waits its backoff: a worker run now leaves it alone
        assert job.run_after > timezone.now() + services.backoff(attempt) - timedelta(seconds=30)
        run_worker()
        job.refresh_from_db()
        assert len(job.worker_ids) == attempt
        DBTaskResult.objects.filter(id=job.id).update(run_after=timezone.now())
    run_worker()
    job.refresh_from_db()
    assert job.status == "FAILED" and len(job.worker_ids) == 3
    return job


def test_a_failing_job_is_retried_with_backoff_then_stays_failed(settings: Any) -> None:
    _fail_until_given_up(settings)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_secretariat_sees_the_failed_job_with_its_error_and_retries_it(
    settings: Any, client: Client, language: str
) -> None:
    job = _fail_until_given_up(settings)
    explode.enqueue("later")
    login(client, secretariat_user())
    with translation.override(language):
        url = reverse("jobs:queue")
        hub = reverse("secretariat")
    assert url.startswith(f"/{language}/")
    assert url in client.get(hub).content.decode()
    response = client.get(url)
    assert_status(response, 200)
    page = response.content.decode()
    failed = page.split('data-testid="jobs-failed"', 1)[1].split("</table>", 1)[0]
    assert "explode" in failed and "RuntimeError: mail server said no to newsletter" in failed
    queued = page.split('data-testid="jobs-queued"', 1)[1].split("</table>", 1)[0]
    assert "later" in queued
    heading = "Background jobs" if language == "en" else "バックグラウンドジョブ"
    assert heading in page
    with translation.override(language):
        retry_url = reverse("jobs:retry", args=[job.id])
    assert_status(client.post(retry_url), 302)
    job.refresh_from_db()
    assert job.status == "READY" and job.worker_ids == [] and job.run_after <= timezone.now()
    # a job that is not failed cannot be retried
    assert_status(client.post(retry_url, follow=True), 200)
    assert DBTaskResult.objects.get(id=job.id).status == "READY"


def test_members_and_visitors_cannot_see_or_retry_jobs(settings: Any, client: Client) -> None:
    settings.BIOCOMMUNITY_JOBS_MAX_ATTEMPTS = 1
    job = DBTaskResult.objects.get(id=explode.enqueue("secret").id)
    run_worker()
    url = reverse("jobs:queue")
    retry_url = reverse("jobs:retry", args=[job.id])
    assert_status(client.get(url), 302)  # to the log-in page
    assert_status(client.post(retry_url), 302)
    login(client, member_user(OrganizationFactory()))
    assert_status(client.get(url), 403)
    assert_status(client.post(retry_url), 403)
    job.refresh_from_db()
    assert job.status == "FAILED"


def test_services_refuse_non_secretariat_users() -> None:
    from django.core.exceptions import PermissionDenied

    member = member_user(OrganizationFactory())
    with pytest.raises(PermissionDenied):
        services.queue_state(member)
    with pytest.raises(PermissionDenied):
        services.retry(member, "00000000-0000-0000-0000-000000000000")


def test_a_saved_profile_is_a_job_after_commit_and_none_when_rolled_back(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.factories import ProfileFactory

    settings.BIOCOMMUNITY_MATCHING_WARMUP = "thread"
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        ProfileFactory(kind="seed")
        raise RuntimeError("the import failed half-way")
    assert not DBTaskResult.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        profile = ProfileFactory(kind="seed")
        assert not DBTaskResult.objects.exists()
    job = DBTaskResult.objects.get()
    assert (job.task_path, job.args_kwargs["args"]) == (
        "biocommunity.matching.tasks.profile_saved",
        [profile.pk],
    )


def test_a_saved_search_hit_travels_through_the_queue_to_the_mailbox(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Profile saved → profile job → (notice, e-mail saved) → e-mail job → mail server."""
    from biocommunity.matching.services import indexing, profiles, saved_searches
    from biocommunity.people.models import Notice

    settings.BIOCOMMUNITY_MATCHING_WARMUP = "thread"
    settings.BIOCOMMUNITY_EMAIL_DELIVERY = "queue"
    settings.BIOCOMMUNITY_MATCHING_EMBEDDER = "none"  # lexical search: no model to load here
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    indexing.reset()
    listener = member_user(OrganizationFactory(), email="listener@example.org")
    saved_searches.save_search(listener, "抗体医薬品の製造", kinds=["seed"])
    with django_capture_on_commit_callbacks(execute=True):
        profiles.create_profile(
            member_user(OrganizationFactory()),
            {"kind": "seed", "title_ja": "新しい抗体医薬品の製造法", "body_ja": "抗体医薬品。"},
        )
    assert not Notice.objects.filter(recipient=listener).exists()  # the request did not wait
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()  # the profile job: the notice and its e-mail, whose job is queued
    assert Notice.objects.filter(recipient=listener).count() == 1
    assert mail.outbox == []
    run_worker()  # the e-mail job
    assert [m.to for m in mail.outbox] == [["listener@example.org"]]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    indexing.reset()
