"""Shared test set-up: language pinned, fast password hashing, one status assertion helper."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def _pinned_language(settings: Any) -> Any:
    # Argon2 stays the production hasher (tests/core/test_security.py); MD5 keeps tests fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = True
    # Notice e-mails go out after commit; in tests, in the same thread so mail.outbox sees them.
    settings.BIOCOMMUNITY_EMAIL_DELIVERY = "inline"
    # No background threads readying the matching engine: each test builds its index on use
    # (tests/matching/test_warmup.py runs the warm-up itself).
    settings.BIOCOMMUNITY_MATCHING_WARMUP = "off"
    # Plain static names, found in the apps: no `collectstatic` needed (tests/core/test_serving.py
    # covers the hashed storage that `biocommunity serve` uses).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    from django.core.cache import cache

    cache.clear()  # cached facet counts must not outlive the test's database
    with translation.override("ja"):
        yield


def assert_status(response: Any, expected: int) -> None:
    """Assert a status; on failure print the form errors or the JSON body to say why."""
    if response.status_code == expected:
        return
    detail = ""
    context = getattr(response, "context", None)
    if context:
        for key in ("form",):
            form = context.get(key) if hasattr(context, "get") else None
            if form is not None and getattr(form, "errors", None):
                detail += f"\nform errors: {form.errors.as_json()}"
    content_type = response.headers.get("Content-Type", "")
    if "json" in content_type:
        detail += "\nbody: " + json.dumps(json.loads(response.content), ensure_ascii=False)[:2000]
    elif not detail:
        detail = "\nbody: " + response.content.decode(errors="replace")[:1500]
    raise AssertionError(f"expected HTTP {expected}, got {response.status_code}{detail}")


@pytest.fixture
def gtb(db: Any) -> Any:
    """The shipped GTB dataset, loaded through the same command users run."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_dataset", "gtb", quiet=True, stdout=StringIO())
    from biocommunity.registry.models import Community

    return Community.objects.get(key="gtb")


def login(client: Client, user: Any) -> Client:
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client
