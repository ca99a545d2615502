"""Public pages speak to the public: documents by title, no CLI commands, no keys as labels,
hubs numbered as GTB numbers them with the gap explained (on the GTB dataset)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client

from biocommunity.registry.models import Hub
from biocommunity.registry.services.hubs import numbering
from tests.conftest import assert_status

pytestmark = pytest.mark.django_db

LANGUAGES = ("ja", "en")
PUBLIC_PAGES = [
    "",
    "hubs/kawasaki/",
    "hubs/shonan/",
    "hubs/hongo-ochanomizu-tokyo-station/",
    "open-data/",
    "figures/compare/",
    "figures/compare/?regions=gtb,japan,world",
    "figures/sales/",
    "certification/communities/gtb/",
]
# A raw source as the data stores it: "001 参考4 …", "004 【参考】…", "seed 002 …".
RAW_SOURCE = re.compile(r"(?<![\d,.])(?:seeds?\s+)?00[0-4](?:_[0-9a-f]{16}\.txt)?\s*[参【（(]")


def visible_text(content: str) -> str:
    """What a reader sees: the page without scripts, JSON islands, tags or attribute values."""
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", content))


def get(client: Client, url: str) -> str:
    response = client.get(url)
    assert_status(response, 200)
    return str(response.content.decode())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_name_documents_not_seeds_and_show_no_commands(
    gtb: Any, client: Client, language: str, path: str
) -> None:
    text = visible_text(get(client, f"/{language}/{path}"))
    assert not re.search(r"\bseeds?\b", text, re.I), re.findall(r".{40}\bseeds?\b.{40}", text)
    assert not re.search(r"biocommunity [a-z]+[- ][a-z]+", text), "a CLI command on a public page"
    assert not RAW_SOURCE.search(text), RAW_SOURCE.findall(text)
    assert "シード文書" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_numbers_hubs_as_gtb_does_and_explains_the_gap(
    gtb: Any, client: Client, language: str
) -> None:
    content = get(client, f"/{language}/")
    hubs = list(Hub.objects.filter(community=gtb))
    assert sorted(h.number for h in hubs) == [3, 4, 5, 6, 7, 8]
    gap = re.search(r'data-testid="hub-gap">(.*?)</p>', content, re.S)
    assert gap, "the gap in the numbering is not explained"
    said = html.unescape(gap.group(1))
    if language == "en":
        assert "numbered 1 to 8" in said and "Hubs 1, 2 are not described" in said
        assert "the secretariat will add them" in said
    else:
        assert "1〜8" in said and "拠点1, 2" in said and "事務局" in said
    # The table and the chart show GTB's numbers, never a renumbering 1–6.
    for hub in hubs:
        assert re.search(rf"<tr><td>{hub.number}</td>", content), hub.key
    assert '"3. ' in content and '"8. ' in content  # chart labels


def test_numbering_finds_the_gaps_below_the_highest_number() -> None:
    hubs = [Hub(number=n) for n in (3, 5, 8)] + [Hub(number=None)]
    assert numbering(hubs).missing == [1, 2, 4, 6, 7]
    assert numbering(hubs).highest == 8
    assert numbering([]).missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_sources_are_citations_with_the_file_as_detail(
    gtb: Any, client: Client, language: str
) -> None:
    home = get(client, f"/{language}/")
    concept = (
        "METI, the GTB concept (2021)" if language == "en" else "経済産業省「GTB構想」（2021年）"
    )
    assert (
        f'<cite class="source" title="000_3d93995920ab9040.txt">{html.escape(concept)}</cite>'
        in home
    )
    hub = get(client, f"/{language}/hubs/kawasaki/")
    plan = (
        "GTB master plan (2022), 参考2"
        if language == "en"
        else "GTBマスタープラン（2022年）、参考2"
    )
    assert plan in hub and 'title="001_130d63ee7e402643.txt"' in hub
    footer = visible_text(home).split("GTB")[-1]
    assert "seed" not in footer.lower()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_hub_without_figures_says_the_documents_give_none(
    gtb: Any, client: Client, language: str
) -> None:
    text = visible_text(get(client, f"/{language}/hubs/hongo-ochanomizu-tokyo-station/"))
    expected = (
        "The published documents give no figures for this hub."
        if language == "en"
        else "公開資料にはこの拠点の数値がありません。"
    )
    assert expected in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_sales_page_cites_the_master_plan_and_names_its_unit(
    gtb: Any, client: Client, language: str
) -> None:
    content = get(client, f"/{language}/figures/sales/")
    plan = (
        "GTB master plan (2022), 参考5"
        if language == "en"
        else "GTBマスタープラン（2022年）、参考5"
    )
    assert plan in content
    assert ("million yen" if language == "en" else "百万円") in content
    assert "JPY-million" not in visible_text(content)


@pytest.mark.parametrize("language", LANGUAGES)
def test_without_data_public_pages_name_no_command(client: Client, language: str) -> None:
    for path in ("", "figures/factsheet/"):
        response = client.get(f"/{language}/{path}")
        assert response.status_code in (200, 404), path
        assert "load-dataset" not in response.content.decode(), path
