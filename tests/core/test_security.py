"""Security settings and behaviour: hashing, CSRF, headers, login throttling, the secret key."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils.module_loading import import_string

from biocommunity import settings as settings_module
from tests.conftest import assert_status
from tests.factories import PASSWORD, UserFactory

REPO = Path(__file__).resolve().parents[2]
LOGIN = "/ja/accounts/login/"


def test_production_password_hasher_is_argon2() -> None:
    # conftest swaps in MD5 for speed; the settings module itself must keep Argon2 first.
    assert settings_module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = import_string(settings_module.PASSWORD_HASHERS[0])()
    encoded = hasher.encode(PASSWORD, hasher.salt())  # argon2-cffi is installed and works
    assert encoded.startswith("argon2$argon2id$")
    assert hasher.verify(PASSWORD, encoded)
    assert not hasher.verify("wrong", encoded)


@pytest.mark.django_db
def test_login_post_without_csrf_token_is_refused() -> None:
    UserFactory(username="alice")
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert_status(response, 403)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_with_csrf_token_works() -> None:
    UserFactory(username="alice")
    client = Client(enforce_csrf_checks=True)
    content = client.get(LOGIN).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', content)
    assert token
    response = client.post(
        LOGIN, {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    )
    assert_status(response, 302)
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("url", [LOGIN, "/en/", "/ja/directory/", "/api/hubs"])
def test_security_headers(client: Client, url: str) -> None:
    response = client.get(url)
    assert_status(response, 200)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_not_scriptable_or_cross_site(client: Client) -> None:
    UserFactory(username="alice")
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert_status(response, 302)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_login_is_locked_after_repeated_failures(client: Client) -> None:
    user = UserFactory(username="alice")
    assert user.check_password(PASSWORD)
    limit = settings.AXES_FAILURE_LIMIT
    assert limit >= 1
    for _attempt in range(limit - 1):
        response = client.post(LOGIN, {"username": "alice", "password": "wrong password"})
        assert_status(response, 200)  # the form again, with an error
    response = client.post(LOGIN, {"username": "alice", "password": "wrong password"})
    assert response.status_code in (403, 429)

    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    assert "Location" not in response.headers

    # A fresh client from the same address is locked too (username + address pair) …
    other = Client()
    response = other.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in other.session
    # … while another account from that address still logs in.
    UserFactory(username="bob")
    response = other.post(LOGIN, {"username": "bob", "password": PASSWORD})
    assert_status(response, 302)
    assert "_auth_user_id" in other.session


@pytest.mark.django_db
def test_a_success_before_the_limit_resets_the_count(client: Client) -> None:
    UserFactory(username="alice")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": "alice", "password": "wrong password"})
    assert_status(client.post(LOGIN, {"username": "alice", "password": PASSWORD}), 302)
    client.logout()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert_status(client.post(LOGIN, {"username": "alice", "password": "wrong"}), 200)
    assert_status(client.post(LOGIN, {"username": "alice", "password": PASSWORD}), 302)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "http:evil.example"]
)
def test_login_does_not_redirect_off_site(client: Client, target: str) -> None:
    UserFactory(username="alice")
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD, "next": target})
    assert_status(response, 302)
    assert response.headers["Location"] == "/ja/"


def test_no_secret_key_is_committed() -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.decode()
    files = [name for name in listed.split("\0") if name]
    assert "src/biocommunity/settings.py" in files
    assignment = re.compile(r"""\bSECRET_KEY\s*=\s*(?![\s_]*_secret_key\(\))[rbuRB]*['"]""")
    # Django's startproject key, spelt in two pieces so that this file does not match itself.
    generated_key = re.compile("django-" + r"insecure-[a-z0-9!@#$%^&*(\-_=+)]{20,}")
    offenders = []
    for name in files:
        path = REPO / name
        if not path.is_file() or path.suffix in {".mo", ".xlsx", ".png", ".ico", ".geojson"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [
            f"{name}: {line.strip()}" for line in text.splitlines() if assignment.search(line)
        ]
        assert not generated_key.search(text), name
    assert offenders == []
    assert not [name for name in files if Path(name).name == "secret_key"]
    settings_text = (REPO / "src/biocommunity/settings.py").read_text(encoding="utf-8")
    assert re.search(r"^SECRET_KEY = _secret_key\(\)$", settings_text, re.M)


def test_secret_key_file_is_created_private(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(settings_module, "DATA_DIR", tmp_path)
    key = settings_module._secret_key()
    key_file = tmp_path / "secret_key"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key) >= 50
    assert key_file.read_text(encoding="utf-8").strip() == key
    assert settings_module._secret_key() == key  # kept, not regenerated
    assert key != settings.SECRET_KEY


def test_secret_key_file_is_never_readable_by_others(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(settings_module, "DATA_DIR", tmp_path)
    # Simulate a crash right after the write: the later chmod never happens.
    monkeypatch.setattr(Path, "chmod", lambda self, mode: None)
    old_umask = os.umask(0o022)
    try:
        settings_module._secret_key()
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_secret_key_from_the_environment_wins(monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setattr(settings_module, "DATA_DIR", tmp_path)
    assert settings_module._secret_key() == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/organizations/A%00", "/api/hubs/%00x", "/api/communities/g%00tb"],
)
def test_a_nul_in_an_api_address_is_a_400_with_the_error_body(client: Client, path: str) -> None:
    # PostgreSQL refuses NUL in text: the lookup used to end in a database error (500).
    response = client.get(path)
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body["detail"], str) and "NUL" in body["detail"]
    assert body["field"] is None and body["errors"] == {}


@pytest.mark.django_db
def test_a_nul_in_a_page_address_is_a_400(client: Client) -> None:
    response = client.get("/ja/organizations/a%00b/")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
