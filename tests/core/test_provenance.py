"""Sources as readable citations: document title and table in the reader's language, file aside."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from biocommunity.core.provenance import DOCUMENTS, Citation, cite


def test_a_numbered_source_becomes_the_document_title_and_its_table() -> None:
    assert cite("001 参考4 海外主要クラスターとGTBの比較", "en") == [
        Citation(
            "GTB master plan (2022), 参考4 海外主要クラスターとGTBの比較", DOCUMENTS["001"].file
        )
    ]
    assert cite("001 参考4", "ja") == [
        Citation("GTBマスタープラン（2022年）、参考4", "001_130d63ee7e402643.txt")
    ]


def test_every_part_is_cited_and_outside_publications_are_kept_as_written() -> None:
    source = "001 Global Life Sciences Ranking 2021 | 出典：Startup Genome 『Report』 (2021年)"
    parts = cite(source, "en")
    assert [p.text for p in parts] == [
        "GTB master plan (2022), Global Life Sciences Ranking 2021",
        "Startup Genome 『Report』 (2021年)",
    ]
    assert parts[1].detail == ""


def test_seed_prefixes_file_names_and_semicolon_lists_are_understood() -> None:
    parts = cite("seed 000 シーズ・ウィッシュマッチング; seed 001 ビジネスマッチング", "en")
    assert [p.detail for p in parts] == [DOCUMENTS["000"].file, DOCUMENTS["001"].file]
    assert all("seed" not in p.text for p in parts)
    assert cite("seed 004_6296806089c2f0e2.txt", "en")[0].text.startswith(
        "Industrial Structure Council bio subcommittee, bio policy action plan"
    )


def test_a_section_that_only_repeats_the_document_title_is_not_printed_twice() -> None:
    assert cite("000 GTB構想", "ja")[0].text == "経済産業省「GTB構想」（2021年）"


def test_numbers_that_are_not_a_document_are_left_alone() -> None:
    assert cite("2024 import by the secretariat", "en") == [
        Citation("2024 import by the secretariat")
    ]
    assert cite("009 unknown paper", "ja") == [Citation("009 unknown paper")]


def test_the_template_filter_escapes_and_puts_the_file_in_a_tooltip() -> None:
    template = Template("{% load provenance %}{{ s|citations }}")
    with translation.override("en"):
        html = template.render(Context({"s": "001 参考5 <売上> | <b>x</b>"}))
    assert html == (
        '<cite class="source" title="001_130d63ee7e402643.txt">'
        "GTB master plan (2022), 参考5 &lt;売上&gt;</cite>; "
        '<cite class="source">&lt;b&gt;x&lt;/b&gt;</cite>'
    )


def test_the_platforms_own_counts_are_named_in_the_readers_language() -> None:
    for recorded in (
        "biocommunity matching pipeline, counted 2026-12-01",
        "biocommunity マッチング・パイプライン（2026-12-01集計）",
    ):
        assert cite(recorded, "en") == [Citation("counted by this platform's matching, 2026-12-01")]
        assert cite(recorded, "ja") == [
            Citation("このプラットフォームのマッチングで集計（2026-12-01）")
        ]
