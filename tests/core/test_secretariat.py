"""The secretariat's hub page and the admin it reaches: every app, for the role, read-only where
an edit would bypass a workflow."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from biocommunity.assessment.models import AuditEntry, Certificate
from biocommunity.core import views as core_views
from biocommunity.indicators.models import Indicator
from biocommunity.matching.models import Profile
from biocommunity.people.models import Notice
from tests.conftest import assert_status, login
from tests.factories import (
    MarketDomainFactory,
    OrganizationFactory,
    ProfileFactory,
    UserFactory,
    issued_certificate,
    member_user,
    reviewer_user,
    secretariat_user,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ("ja", "en")


def hub_url(language: str) -> str:
    with translation.override(language):
        return reverse("secretariat")


def label(text: str, language: str) -> str:
    with translation.override(language):
        return html.escape(gettext(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_hub_links_to_each_tool_of_the_secretariat(client: Client, language: str) -> None:
    login(client, secretariat_user())
    response = client.get(hub_url(language))
    assert_status(response, 200)
    content = response.content.decode()
    with translation.override(language):
        for name in (
            "registry:import",
            "indicators:import",
            "assessment:workspace",
            "assessment:round-new",
            "assessment:audit",
            "matching:pipeline",
            "matching:forwarding",
            "matching:import",
            "admin:index",
            "admin:indicators_indicator_changelist",
            "admin:matching_profile_changelist",
            "admin:people_person_changelist",
        ):
            assert f'href="{reverse(name)}"' in content, name
    assert label("Certification rounds", language) in content
    assert f'<html lang="{language}">' in content
    # the header leads there from every page
    home = client.get(f"/{language}/figures/kpis/").content.decode()
    assert f'href="{hub_url(language)}"' in home


def test_hub_leaves_out_a_tool_whose_page_is_not_installed(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = core_views.Tool("people:no-such-page", "Nowhere", "Not installed")  # type: ignore[arg-type]
    heading, tools = core_views.SECTIONS[0]
    monkeypatch.setattr(core_views, "SECTIONS", ((heading, (*tools, missing)),))
    login(client, secretariat_user())
    response = client.get(hub_url("en"))
    assert_status(response, 200)
    assert "Nowhere" not in response.content.decode()


def test_hub_is_for_the_secretariat_only(client: Client) -> None:
    response = client.get(hub_url("ja"))
    assert_status(response, 302)
    assert response.url.startswith(reverse("login"))
    for user in (member_user(OrganizationFactory()), reviewer_user(), UserFactory()):
        login(client, user)
        assert_status(client.get(hub_url("ja")), 403)


# The admin ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_secretariat_without_staff_flags_sees_every_app_in_the_admin(
    client: Client, language: str
) -> None:
    # As a secretariat invited from the browser is: the role, no per-model permissions.
    user = secretariat_user()
    assert not user.is_staff and not user.user_permissions.exists()  # type: ignore[attr-defined]
    login(client, user)
    response = client.get(f"/{language}/admin/")
    assert_status(response, 200)
    content = response.content.decode()
    for app in ("registry", "indicators", "assessment", "matching", "people"):
        assert f'href="/{language}/admin/{app}/"' in content, app
    with translation.override(language):
        for model in (Indicator, Certificate, Profile, Notice):
            assert html.escape(str(model._meta.verbose_name_plural).capitalize()) in content


def test_the_admin_refuses_members_and_reviewers(client: Client) -> None:
    for user in (member_user(OrganizationFactory()), reviewer_user()):
        login(client, user)
        response = client.get("/en/admin/")
        assert_status(response, 302)
        assert "/admin/login/" in response.url
        assert_status(client.get("/en/admin/indicators/indicator/"), 302)


def test_secretariat_edits_registry_records_through_the_role(client: Client) -> None:
    domain = MarketDomainFactory(number=5, key="domain-5", name_ja="五", name_en="Five")
    login(client, secretariat_user())
    address = f"/en/admin/registry/marketdomain/{domain.pk}/change/"
    assert_status(client.get(address), 200)
    response = client.post(
        address,
        {
            "number": 5,
            "key": "domain-5",
            "name_ja": "五番",
            "name_en": "Five",
            "source": "",
            "as_of": "",
        },
    )
    assert_status(response, 302)
    domain.refresh_from_db()
    assert domain.name_ja == "五番"


def test_certificates_and_audit_entries_are_read_only_in_the_admin(client: Client) -> None:
    certificate: Any = issued_certificate()
    entry = AuditEntry.objects.filter(certificate=certificate).first()
    assert entry is not None
    login(client, secretariat_user())
    base = "/en/admin/assessment"
    assert_status(client.get(f"{base}/certificate/"), 200)
    assert_status(client.get(f"{base}/certificate/{certificate.pk}/change/"), 200)  # view only
    assert_status(client.get(f"{base}/certificate/add/"), 403)
    response = client.post(
        f"{base}/certificate/{certificate.pk}/change/", {"level_code": "advanced"}
    )
    assert response.status_code == 403
    assert_status(client.post(f"{base}/certificate/{certificate.pk}/delete/", {"post": "yes"}), 403)
    assert Certificate.objects.get(pk=certificate.pk).level_code == certificate.level_code
    assert_status(client.post(f"{base}/auditentry/{entry.pk}/delete/", {"post": "yes"}), 403)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    model_admin = admin.site._registry[Notice]
    request = type("R", (), {"user": secretariat_user()})()
    assert not model_admin.has_change_permission(request)  # type: ignore[arg-type]
    assert model_admin.has_view_permission(request)  # type: ignore[arg-type]


def test_profile_admin_applies_the_profile_rules(client: Client) -> None:
    profile = ProfileFactory()
    login(client, secretariat_user())
    address = f"/en/admin/matching/profile/{profile.pk}/change/"
    assert_status(client.get(address), 200)
    response = client.post(
        address,
        {
            "kind": profile.kind,
            "organization": profile.organization_id,
            "title_ja": "",
            "title_en": "",
            "body_ja": profile.body_ja,
            "visibility": profile.visibility,
            "status": profile.status,
            "source": "test",
            "as_of": "2026",
        },
    )
    assert_status(response, 200)  # the form again, with the error
    assert "title_ja" in response.context["adminform"].form.errors
    profile.refresh_from_db()
    assert profile.title_ja.startswith("抗体医薬品")


def test_every_registered_changelist_opens_for_the_secretariat(client: Client) -> None:
    issued_certificate()  # rows in the certification tables, so list columns are rendered
    ProfileFactory()
    login(client, secretariat_user())
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        if not model.__module__.startswith("biocommunity."):
            continue  # Django's and axes' own admins keep their per-model permissions
        response = client.get(f"/ja/admin/{meta.app_label}/{meta.model_name}/")
        assert response.status_code == 200, (meta.label, response.status_code)
        assert model_admin.has_view_permission(response.wsgi_request)
