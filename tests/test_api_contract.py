"""The JSON API keeps its contract: one error shape, every status declared, 401 for anonymous
writes, and schemathesis (every check) finds nothing against the live schema."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import ALL_CHECKS
from schemathesis.specs.openapi.schemas import BaseOpenAPISchema

from biocommunity.registry.models import Organization
from tests.conftest import assert_status, login
from tests.factories import (
    CommunityFactory,
    HubFactory,
    HubMembershipFactory,
    OrganizationFactory,
    ProfileFactory,
    member_user,
)

ERROR_REF = "#/components/schemas/ErrorOut"


def _schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert_status(response, 200)
    return json.loads(response.content)


def _assert_error_body(response: Any, status: int) -> dict[str, Any]:
    assert_status(response, status)
    assert response.headers["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert isinstance(body["detail"], str) and body["detail"], body
    assert set(body) == {"detail", "field", "errors"}, body
    assert isinstance(body["errors"], dict), body
    return body


# ---------------------------------------------------------------- one error shape


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/organizations", {"kind": "no-such-kind"}, "kind"),  # a domain error (directory)
        ("/api/organizations", {"page": "x", "page_size": "0"}, "page"),
        ("/api/search", {"q": "x" * 201}, "q"),  # a domain error (site search)
        ("/api/compare", {}, "regions"),  # a missing parameter (ninja's validation)
    ],
)
def test_a_400_has_a_string_detail_and_the_errors_by_field(
    client: Client, url: str, params: dict[str, str], field: str
) -> None:
    # These answered {"detail": [{"field": ..., "message": ...}]} or ninja's list of errors.
    body = _assert_error_body(client.get(url, params), 400)
    assert body["field"] == field, body
    assert field in body["errors"] and all(body["errors"][field]), body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/organizations/nobody",
        "/api/communities/nowhere",
        "/api/certification/certificates/X-1",
        "/api/matching/profiles/1",
    ],
)
def test_a_404_has_the_same_shape(client: Client, url: str) -> None:
    _assert_error_body(client.get(url), 404)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "misspelt", "known", "value"),
    [
        ("/api/hubs", "communty", "community", "gtb"),
        ("/api/organizations", "kinds", "kind", "university"),
        ("/api/search", "query", "q", "bio"),
        ("/api/certification/register", "on", "", ""),
    ],
)
def test_an_unknown_query_parameter_is_refused_not_ignored(
    client: Client, url: str, misspelt: str, known: str, value: str
) -> None:
    # A misspelt filter used to answer 200 with everything, as if it had filtered.
    body = _assert_error_body(client.get(url, {misspelt: value or "x"}), 400)
    assert body["field"] == misspelt and known in body["detail"], body
    if known:
        assert_status(client.get(url, {known: value}), 200)


# ---------------------------------------------------------------- 401 before CSRF


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/matching/profiles"),
        ("patch", "/api/matching/profiles/1"),
        ("post", "/api/matching/introductions"),
        ("post", "/api/notifications/read"),
    ],
)
def test_an_anonymous_write_answers_401_not_a_csrf_failure(method: str, url: str) -> None:
    # Ninja's session auth checked CSRF first: 403 "CSRF check Failed" to someone not signed in.
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(url, "{}", content_type="application/json")
    _assert_error_body(response, 401)


@pytest.mark.django_db
def test_a_signed_in_write_still_needs_the_csrf_token() -> None:
    client = login(Client(enforce_csrf_checks=True), member_user(OrganizationFactory()))
    response = client.post("/api/notifications/read", '{"all": true}', "application/json")
    _assert_error_body(response, 403)
    client.get("/ja/matching/")  # a page sets the CSRF cookie that scripts send back
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/notifications/read",
        '{"all": true}',
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert_status(response, 200)


# ---------------------------------------------------------------- the schema says so


def test_every_operation_declares_its_errors_with_the_one_error_schema(client: Client) -> None:
    schema = _schema(client)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            declared = operation["responses"]
            where = f"{method.upper()} {path}"
            assert "400" in declared, where  # any parameter can be malformed
            if "{" in path:
                assert "404" in declared, where
            if operation.get("security"):
                assert {"401", "403"} <= set(declared), where
            for status, answer in declared.items():
                if status.startswith("4"):
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref == ERROR_REF, (where, status, ref)
    error = schema["components"]["schemas"]["ErrorOut"]
    assert error["properties"]["detail"]["type"] == "string"
    assert error["required"] == ["detail"]


@pytest.mark.django_db
def test_the_docs_page_loads_nothing_from_another_host(client: Client) -> None:
    response = client.get("/api/docs")
    assert_status(response, 200)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp or "script-src 'self'" in csp, csp
    page = response.content.decode()
    assert "//cdn" not in page and "unpkg" not in page and "jsdelivr" not in page
    for attribute in ('src="http', "src='http", 'href="http', "href='http"):
        assert attribute not in page, attribute


# ---------------------------------------------------------------- schemathesis


@pytest.fixture
def world(db: None) -> Organization:
    """A small world of data, so lookups find something as well as nothing."""
    community = CommunityFactory(key="gtb")
    hub = HubFactory(community=community, key="nihonbashi")
    org = OrganizationFactory(key="acme")
    HubMembershipFactory(hub=hub, organization=org)
    ProfileFactory(organization=org)
    return org


@pytest.fixture
def live_schema(world: Organization) -> Iterator[BaseOpenAPISchema]:
    """The schema the app serves, called in-process through its WSGI handler."""
    # As Django's test client does: the end of a request must not close the test's database
    # connection (inside the test's transaction PostgreSQL's counts as unusable and is closed).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.from_wsgi(
            "/api/openapi.json",
            WSGIHandler(),
            data_generation_methods=[
                schemathesis.DataGenerationMethod.positive,
                schemathesis.DataGenerationMethod.negative,
            ],
        )
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# Ninja serves OpenAPI 3.1, which schemathesis 3 reads behind this switch.
schemathesis.experimental.OPEN_API_3_1.enable()

with warnings.catch_warnings():
    # schemathesis 3.39 warns of its deprecated filter arguments even when none is given.
    warnings.simplefilter("ignore", DeprecationWarning)
    schema = schemathesis.from_pytest_fixture("live_schema")


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_schemathesis_finds_nothing(case: Any) -> None:
    case.call_and_validate(checks=ALL_CHECKS)


@pytest.fixture
def member_session(world: Organization) -> dict[str, str]:
    """Cookies of a signed-in member of the world's organisation, with a CSRF secret."""
    client = login(Client(), member_user(world))
    return {
        django_settings.SESSION_COOKIE_NAME: client.cookies[
            django_settings.SESSION_COOKIE_NAME
        ].value,
        django_settings.CSRF_COOKIE_NAME: "a" * 32,
    }


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_schemathesis_finds_nothing_signed_in(case: Any, member_session: dict[str, str]) -> None:
    # The same checks for a member's session: reads see members-only data, writes get through.
    # The session replaces whatever cookie schemathesis made up for the security scheme.
    case.cookies = {**(case.cookies or {}), **member_session}
    token = member_session[django_settings.CSRF_COOKIE_NAME]
    response = case.call(headers={"X-CSRFToken": token})
    case.validate_response(response, checks=ALL_CHECKS)
    assert response.status_code != 401, (case.operation.verbose_name, response.text[:300])
