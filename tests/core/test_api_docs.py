"""/api/docs works offline: Swagger UI from the installed django-ninja, nothing from another
host, under the same Content-Security-Policy as every page."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from biocommunity.core.middleware import CONTENT_SECURITY_POLICY
from tests.conftest import assert_status

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


def test_docs_page_references_no_external_host_and_its_assets_answer(
    db: Any, client: Client
) -> None:
    response = client.get("/api/docs")
    assert_status(response, 200)
    html = response.content.decode()
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
    assets = ASSET.findall(html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        assert not re.match(r"^(https?:)?//", asset), f"{asset} is on another host"
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content
        answer.close()  # WhiteNoise streams the file: close it, or it leaks an open handle
        assert body, asset
    # No inline script: the policy allows scripts from this site only.
    for attributes in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    # The settings Swagger UI starts with: the schema here, no public validator badge.
    settings = re.search(r'id="swagger-settings">(.*?)</script>', html, flags=re.S)
    assert settings and '"url": "/api/openapi.json"' in settings.group(1)
    assert '"validatorUrl": null' in settings.group(1)


def test_the_schema_it_reads_is_served(db: Any, client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert_status(response, 200)
    assert response.json()["paths"]
