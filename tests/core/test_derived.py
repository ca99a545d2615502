"""Derived data is cached per generation, and every kind of write starts a new generation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from biocommunity.assessment.templatetags import certification
from biocommunity.core import derived
from biocommunity.indicators.services.importing import import_observations
from biocommunity.registry import views as registry_views
from tests.conftest import assert_status
from tests.factories import (
    CommunityFactory,
    HubFactory,
    HubMembershipFactory,
    OrganizationFactory,
    issued_certificate,
    secretariat_user,
)

pytestmark = pytest.mark.django_db


def _home(client: Client) -> str:
    response = client.get("/ja/")
    assert_status(response, 200)
    # The masked CSRF token differs on every render; everything else is the page.
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", response.content.decode())


def _org_total(page: str) -> int:
    match = re.search(r'data-testid="org-total">(\d+)<', page)
    assert match, "the organisation count is missing from the home page"
    return int(match.group(1))


def _count_home_derivations(monkeypatch: Any) -> list[int]:
    calls: list[int] = []
    original = registry_views._home_context

    def counting(community: Any) -> dict[str, Any]:
        calls.append(1)
        return original(community)

    monkeypatch.setattr(registry_views, "_home_context", counting)
    return calls


def test_home_is_derived_once_then_again_after_a_registry_write(
    client: Client, settings: Any, monkeypatch: Any
) -> None:
    settings.BIOCOMMUNITY_DEFAULT_COMMUNITY = "gtb"
    community = CommunityFactory(key="gtb")
    hub = HubFactory(community=community)
    HubMembershipFactory(hub=hub, organization=OrganizationFactory(kinds=["venture"]))
    calls = _count_home_derivations(monkeypatch)

    first = _home(client)
    assert _home(client) == first and len(calls) == 1  # the second visit is served cached

    HubMembershipFactory(hub=hub, organization=OrganizationFactory(kinds=["company"]))
    after = _home(client)
    assert len(calls) == 2
    assert _org_total(after) == _org_total(first) + 1


def test_home_panel_is_assessed_again_after_an_assessment_decision(
    client: Client, settings: Any, monkeypatch: Any
) -> None:
    settings.BIOCOMMUNITY_DEFAULT_COMMUNITY = "gtb"
    community = CommunityFactory(key="gtb")
    hub = HubFactory(community=community)
    incubator = OrganizationFactory(kinds=["incubator"])
    HubMembershipFactory(hub=hub, organization=incubator)
    assessed: list[int] = []
    original = certification.assess_community

    def counting(community: Any, **kwargs: Any) -> Any:
        assessed.append(1)
        return original(community, **kwargs)

    monkeypatch.setattr(certification, "assess_community", counting)
    _home(client)
    _home(client)
    assert len(assessed) == 1  # the community assessment is cached between visits
    issued_certificate(community, organization=incubator)
    assessed.clear()
    page = _home(client)
    assert len(assessed) == 1
    assert "certification-panel" in page


def test_home_is_derived_again_after_an_observation_import(
    client: Client, gtb: Any, monkeypatch: Any
) -> None:
    calls = _count_home_derivations(monkeypatch)
    _home(client)
    _home(client)
    assert len(calls) == 1
    token = derived.generation()
    data = (
        "indicator,subject,period,value,value_kind,note_en,source\nipo-count,gtb,2023,7,exact,n,s\n"
    )
    report = import_observations(data.encode(), "obs.csv", user=secretariat_user())
    assert report.created == 1 and not report.errors
    assert derived.generation() != token
    _home(client)
    assert len(calls) == 2


def test_a_rolled_back_write_leaves_no_stale_cache(monkeypatch: Any) -> None:
    token = derived.generation()
    derived.mark_stale()
    assert derived.generation() != token


def test_cached_values_follow_the_generation() -> None:
    values = iter([1, 2, 3])
    assert derived.cached("test", lambda: next(values), "a") == 1
    assert derived.cached("test", lambda: next(values), "a") == 1
    assert derived.cached("test", lambda: next(values), "b") == 2  # another key
    derived.bump()
    assert derived.cached("test", lambda: next(values), "a") == 3


def test_local_memory_is_the_default_and_redis_is_shared(settings: Any) -> None:
    from biocommunity import settings as project_settings

    assert project_settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    assert not derived.shared_cache()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    assert derived.shared_cache()


def test_bookkeeping_writes_keep_what_was_derived() -> None:
    from biocommunity.core.models import ChangeRecord

    assert not derived._is_ours(ChangeRecord)
    token = derived.generation()
    OrganizationFactory()
    assert derived.generation() != token
