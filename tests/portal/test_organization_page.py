"""The organisation page: its visible profiles, certificates in force, programmes, location."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from biocommunity.assessment.services import workflow
from biocommunity.portal.services.organization_page import certificates_of, profiles_of
from biocommunity.registry.models import Community, Organization
from tests.conftest import assert_status, login
from tests.factories import (
    OrganizationFactory,
    ProfileFactory,
    issued_certificate,
    member_user,
    secretariat_user,
)

pytestmark = pytest.mark.django_db


def _page(client: Client, key: str, language: str = "ja") -> str:
    response = client.get(f"/{language}/organizations/{key}/")
    assert_status(response, 200)
    return response.content.decode()


def test_profiles_shown_are_those_the_viewer_may_see(gtb: Community, client: Client) -> None:
    fujifilm = Organization.objects.get(key="fujifilm")
    public = ProfileFactory(organization=fujifilm, title_ja="公開の製造能力", visibility="public")
    members = ProfileFactory(
        organization=fujifilm, title_ja="会員限定の製造枠", visibility="members"
    )
    draft = ProfileFactory(organization=fujifilm, title_ja="下書きの案件", status="draft")
    ProfileFactory(title_ja="他の機関の案件")

    html = _page(client, "fujifilm")
    assert 'data-testid="organization-profiles"' in html
    assert public.title_ja in html
    assert members.title_ja not in html and draft.title_ja not in html
    assert "他の機関の案件" not in html

    login(client, member_user(Organization.objects.get(key="agc")))
    html = _page(client, "fujifilm")
    assert members.title_ja in html and draft.title_ja not in html
    login(client, member_user(fujifilm))
    assert draft.title_ja in _page(client, "fujifilm")


def test_no_profile_section_when_none_is_visible(client: Client) -> None:
    quiet = OrganizationFactory(key="quiet")
    ProfileFactory(organization=quiet, visibility="members")
    assert 'data-testid="organization-profiles"' not in _page(client, "quiet")
    assert profiles_of(None, quiet) == []


def test_certificates_in_force_are_shown_and_revoked_ones_are_not(client: Client) -> None:
    incubator = OrganizationFactory(key="cert-incubator", kinds=["incubator"])
    certificate = issued_certificate(organization=incubator)
    assert certificates_of(incubator) == [certificate]
    for language in ("ja", "en"):
        html = _page(client, "cert-incubator", language)
        assert 'data-testid="organization-certificates"' in html
        assert certificate.number in html  # type: ignore[attr-defined]
    workflow.revoke(secretariat_user(), certificate, reason="取り消し")  # type: ignore[arg-type]
    assert certificates_of(incubator) == []
    assert 'data-testid="organization-certificates"' not in _page(client, "cert-incubator")


def test_expired_certificate_is_not_in_force(client: Client) -> None:
    incubator = OrganizationFactory(key="old-incubator", kinds=["incubator"])
    today = datetime.date.today()
    issued_certificate(
        organization=incubator,
        valid_from=today.replace(year=today.year - 4),
        valid_to=today - datetime.timedelta(days=1),
    )
    assert certificates_of(incubator) == []


def test_programmes_are_listed(gtb: Community, client: Client) -> None:
    html = _page(client, "fujifilm", "en")
    assert "Domestic" in html and "bio-CDMO" in html


@pytest.mark.parametrize(
    ("key", "ja", "en"),
    [
        ("kawasaki-city", "神奈川県川崎市", "Kawasaki"),
        ("newton-biocapital", "ブリュッセル（BE）", "Brussels, BE"),
        ("startup-ecosystem-tokyo-consortium", "東京都", "Tokyo"),
        # the CDMOs: where the seed places their new sites (004 国内CDMO…)
        ("agc", "神奈川県横浜市", "Yokohama"),
        ("fujifilm", "富山県", "Toyama"),
        ("cellusion", "日本（所在市区町村の記録なし）", "Japan (no city recorded)"),
    ],
)
def test_location_uses_what_the_dataset_records(
    gtb: Community, client: Client, key: str, ja: str, en: str
) -> None:
    html_ja, html_en = _page(client, key, "ja"), _page(client, key, "en")
    assert ja in html_ja
    assert en in html_en
    assert "No location recorded." not in html_en
    assert "所在地は登録されていません" not in html_ja


def test_no_location_recorded_only_when_nothing_is_known(client: Client) -> None:
    OrganizationFactory(
        key="nowhere", country="", prefecture="", city_ja="", city_en="", lat=None, lon=None
    )
    assert "No location recorded." in _page(client, "nowhere", "en")


def test_an_organisation_abroad_gets_no_map_of_the_region(gtb: Community, client: Client) -> None:
    html = _page(client, "newton-biocapital", "en")
    assert "Abroad: outside the region the map shows." in html
    assert "› newton-biocapital" not in html  # the breadcrumb names it, not its key
    assert "Abroad" not in _page(client, "kawasaki-city", "en")


def test_page_queries_do_not_grow_with_profiles_and_certificates(client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    org = OrganizationFactory(key="busy", kinds=["incubator"])
    ProfileFactory(organization=org)
    issued_certificate(organization=org)
    with CaptureQueriesContext(connection) as few:
        _page(client, "busy")
    for _n in range(5):
        ProfileFactory(organization=org)
    with CaptureQueriesContext(connection) as many:
        _page(client, "busy")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_organisation_known_by_prefecture_gets_it_shaded(gtb: Community, client: Client) -> None:
    html = _page(client, "startup-ecosystem-tokyo-consortium", "en")
    assert 'class="pref pref-core pref-highlight" data-code="13"' in html
    assert "No exact position recorded: Tokyo is shaded." in html
    located = _page(client, "kawasaki-city", "en")
    assert "pref-highlight" not in located and "<circle" in located
