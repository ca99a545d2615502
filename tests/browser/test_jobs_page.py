"""The secretariat's queue page in a browser: a failed job with its error folds open, Retry
queues it again; Japanese and English, desktop and phone."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.browser.conftest import log_in, screenshot
from tests.factories import secretariat_user
from tests.jobs.test_queue import explode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("language", "width"), [("ja", 1280), ("en", 1280), ("ja", 375)])
def test_secretariat_reads_a_failed_jobs_error_and_retries_it(
    page: Any, live_server: Any, settings: Any, language: str, width: int
) -> None:
    settings.BIOCOMMUNITY_JOBS_MAX_ATTEMPTS = 1
    job = DBTaskResult.objects.get(id=explode.enqueue("the council newsletter").id)
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    explode.enqueue("next week's digest")
    user = secretariat_user()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, user.username, language=language)
    page.goto(f"{live_server.url}/{language}/secretariat/")
    page.click(f"a[href='/{language}/secretariat/jobs/']")
    failed = page.locator("[data-testid=jobs-failed]")
    failed.locator("summary").first.click()
    assert "RuntimeError: mail server said no to the council newsletter" in (
        failed.locator("pre.traceback").inner_text()
    )
    assert "next week" in page.locator("[data-testid=jobs-queued]").inner_text()
    # the table scrolls inside its box on a phone instead of widening the page
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"jobs-{language}-{width}")
    failed.get_by_role("button").click()
    page.wait_for_load_state()
    assert page.locator(".messages .success").count() == 1
    assert page.locator("[data-testid=jobs-failed]").count() == 0
    job.refresh_from_db()
    assert job.status == "READY" and job.worker_ids == []
