"""Registry models: named constraints, identifier validators, prefecture and search folding."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from biocommunity.core.provenance import validate_partial_date
from biocommunity.registry.choices import resolve_prefecture
from biocommunity.registry.models import Classification, Hub, Organization
from biocommunity.registry.models.organization import validate_corporate_number, validate_ror_id
from biocommunity.registry.services.text import normalize_for_search, search_terms
from tests.factories import CommunityFactory, HubFactory, OrganizationFactory

# Toyota Motor Corporation's published corporate number (gBizINFO): a real-world check.
TOYOTA = "1180301018771"


def _org(**fields: object) -> Organization:
    values: dict[str, object] = {"key": "acme", "name_ja": "アクメ", "name_en": "Acme"}
    return Organization(**{**values, **fields})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lat", "lon"),
    [(95.0, 139.7), (-90.5, 139.7), (35.5, 180.5), (35.5, -181.0)],
)
def test_coordinates_outside_the_earth_are_refused_by_the_database(lat: float, lon: float) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _org(lat=lat, lon=lon).save()


@pytest.mark.django_db
@pytest.mark.parametrize(("lat", "lon"), [(None, None), (35.5, 139.7), (-90.0, 180.0)])
def test_valid_or_missing_coordinates_are_stored(lat: float | None, lon: float | None) -> None:
    _org(lat=lat, lon=lon).save()
    assert Organization.objects.get(key="acme").lat == lat


@pytest.mark.django_db
def test_coordinate_constraint_is_checked_by_full_clean() -> None:
    with pytest.raises(ValidationError) as caught:
        _org(lat=95.0, lon=139.7).full_clean()
    assert "__all__" in caught.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(("lat", "lon"), [(35.5, None), (None, 139.7)])
def test_half_a_coordinate_pair_is_refused(lat: float | None, lon: float | None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _org(lat=lat, lon=lon).save()


@pytest.mark.django_db
def test_hub_key_is_unique_within_a_community_only() -> None:
    gtb = CommunityFactory()
    HubFactory(community=gtb, key="kawasaki")
    with pytest.raises(IntegrityError), transaction.atomic():
        HubFactory(community=gtb, key="kawasaki")

    kansai = CommunityFactory(key="kansai", name_en="Biocommunity Kansai")
    HubFactory(community=kansai, key="kawasaki")
    assert Hub.objects.filter(key="kawasaki").count() == 2


@pytest.mark.django_db
def test_an_organisation_has_each_kind_once() -> None:
    org = OrganizationFactory(kinds=["company"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Classification.objects.create(organization=org, kind="company")
    Classification.objects.create(organization=org, kind="venture")
    assert sorted(org.kind_codes) == ["company", "venture"]


@pytest.mark.django_db
def test_full_clean_runs_the_field_validators() -> None:
    with pytest.raises(ValidationError) as caught:
        _org(corporate_number="1180301018772", ror_id="not-a-ror", as_of="2022/03").full_clean()
    assert {"corporate_number", "ror_id", "as_of"} <= set(caught.value.message_dict)


def _body_check_digit(body: str) -> str:
    total = sum(int(d) * (2 if i % 2 else 1) for i, d in enumerate(reversed(body)))
    return str(9 - total % 9)


@pytest.mark.parametrize("body", ["180301018771", "000000000000", "999999999999", "010001008846"])
def test_corporate_numbers_with_the_right_check_digit_pass(body: str) -> None:
    validate_corporate_number(_body_check_digit(body) + body)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("2180301018771", "corporate_number_check_digit"),
        ("118030101877", "corporate_number_length"),
        ("11803010187710", "corporate_number_length"),
        ("1180-30101877", "corporate_number_length"),
        ("T1180301018771", "corporate_number_length"),
    ],
)
def test_bad_corporate_numbers_fail(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_corporate_number(value)
    assert caught.value.code == code


def test_empty_identifiers_are_allowed() -> None:
    validate_corporate_number("")
    validate_ror_id("")
    validate_partial_date("")
    validate_corporate_number(TOYOTA)


@pytest.mark.parametrize("value", ["057zh3y96", "00hx57361", "0abcdef12"])
def test_ror_ids_pass(value: str) -> None:
    validate_ror_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "https://ror.org/057zh3y96",  # the URL, not the id
        "157zh3y96",  # ids start with 0
        "057ZH3Y96",  # lower case only
        "0l7zh3y96",  # Crockford base32 has no i, l, o, u
        "057zh3y9",
        "057zh3y9x",  # ends with two digits
    ],
)
def test_bad_ror_ids_fail(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_ror_id(value)
    assert caught.value.code == "invalid_ror_id"


@pytest.mark.parametrize("value", ["2022", "2022-03", "2021-10-05", "2020-02-29"])
def test_partial_dates_pass(value: str) -> None:
    validate_partial_date(value)


@pytest.mark.parametrize(
    "value",
    ["22", "2022/03", "2022-13", "2022-00", "2022-03-32", "2022-3", "令和4年", "2022-03-05T10"],
)
def test_bad_partial_dates_fail(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_partial_date(value)
    assert caught.value.code == "invalid_partial_date"


@pytest.mark.parametrize("value", ["2022-02-31", "2021-04-31", "2023-02-29"])
def test_impossible_days_fail(value: str) -> None:
    with pytest.raises(ValidationError):
        validate_partial_date(value)


def test_alias_list_and_sources() -> None:
    org = _org(aliases=" 慶應; 慶応義塾大学 ;;KEIO ", source="000 GTB構想 |001 参考2|  | 004")
    assert org.alias_list == ["慶應", "慶応義塾大学", "KEIO"]
    assert org.sources == ["000 GTB構想", "001 参考2", "004"]
    assert _org().alias_list == []
    assert _org().sources == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("東京都", "13"),
        ("東京", "13"),
        ("Tokyo", "13"),
        ("tokyo", "13"),
        ("TOKYO", "13"),
        ("tokyo-to", "13"),
        ("13", "13"),
        ("JP-13", "13"),
        ("jp-13", "13"),
        (" 神奈川県 ", "14"),
        ("神奈川", "14"),
        ("Kanagawa Prefecture", "14"),
        ("kanagawa-ken", "14"),
        ("Osaka-fu", "27"),
        ("京都府", "26"),
        ("京都", "26"),
        ("北海道", "01"),
        ("Hokkaido", "01"),
        ("1", "01"),
        ("01", "01"),
        ("47", "47"),
    ],
)
def test_resolve_prefecture(text: str, code: str) -> None:
    assert resolve_prefecture(text) == code


@pytest.mark.parametrize("text", ["", "  ", "Atlantis", "0", "48", "JP-99", "北海", "東京都庁"])
def test_unknown_prefecture(text: str) -> None:
    assert resolve_prefecture(text) is None


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("カワサキ", "かわさき"),
        ("ｶﾜｻｷ", "かわさき"),  # half-width katakana
        ("ヴァイオ", "ゔぁいお"),
        ("ＫＳＰ　２０２２", "ksp 2022"),  # full-width letters, digits and space
        ("LINK-J", "link-j"),
        ("慶應義塾大学", "慶応義塾大学"),
        ("髙島屋", "高島屋"),
        ("かずさDNA研究所", "かずさdna研究所"),
    ],
)
def test_normalize_for_search(text: str, folded: str) -> None:
    assert normalize_for_search(text) == folded


def test_search_terms_split_on_ideographic_space() -> None:
    assert search_terms("慶應　ビョウイン  Keio") == ["慶応", "びょういん", "keio"]
    assert search_terms("   ") == []
