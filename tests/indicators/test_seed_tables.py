"""The shipped figures equal the seed's tables, cell by cell.

An independent transcription: every expected value below was typed from the seed
``shared/seeds/001_130d63ee7e402643.txt`` (参考4 海外主要クラスターとGTBの比較,
参考5 バイオ関連5団体加盟企業 年間売上高, and Startup Genome's Global Life Sciences
Ranking 2021), not copied from the shipped CSV files. Only the indicator codes, the
subject keys and the ``製造業：…`` naming of the manufacturing sub-rows follow the
shipped files, so that the two can be matched.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import biocommunity.indicators
from biocommunity.indicators.models import Observation, SalesByIndustry

GTB_DATA = Path(biocommunity.indicators.__file__).parent / "data" / "gtb"

# ---------------------------------------------------------------------------------------------
# 参考4 海外主要クラスターとGTBの比較 — columns GTB | Massachusetts | Greater London.
# (indicator code, subject key, period, value, value_kind, cell as printed in the seed)
# A row printing two figures in one cell (e.g. "79,972 (46,000)", "7,000+/45,000") is split into
# two indicators; the indicator the other column does not print is "missing" there.
# ---------------------------------------------------------------------------------------------
R4 = "参考4"
G, M, L = "gtb", "massachusetts", "greater-london"
MISSING = "missing"
EXACT = "exact"
LOWER = "lower_bound"

SANKO4: list[tuple[str, str, str, str | None, str, str]] = [
    # 人口 (2018年, 百万人)
    ("population", G, "2020", "39.78", EXACT, "39.78 (2020)"),
    ("population", M, "2018", "4.44", EXACT, "4.44"),
    ("population", L, "2018", "12.43", EXACT, "12.43"),
    # GDP (2018年, 十億ドル)
    ("gdp", G, "2018", "1828", EXACT, "1,828"),
    ("gdp", M, "2018", "541", EXACT, "541"),
    ("gdp", L, "2018", "686", EXACT, "686"),
    # バイオ産業雇用者数 (R & D雇用者数)
    ("bio-industry-employment", G, "", "347000", LOWER, "347,000+"),
    ("bio-industry-employment", M, "", "79972", EXACT, "79,972 (46,000)"),
    ("bio-industry-employment", L, "", "193000", EXACT, "193,000"),
    ("bio-industry-rd-employment", G, "", None, MISSING, "347,000+ (no R&D figure)"),
    ("bio-industry-rd-employment", M, "", "46000", EXACT, "79,972 (46,000)"),
    ("bio-industry-rd-employment", L, "", None, MISSING, "193,000 (no R&D figure)"),
    # 雇用者平均年収
    ("average-annual-salary", G, "", "1180", EXACT, "1,180万円"),
    ("average-annual-salary", M, "", "169271", EXACT, "$169,271"),
    ("average-annual-salary", L, "", "125000", EXACT, "£125,000"),
    # バイオテク/ライフサイエンス企業数
    ("biotech-company-count", G, "", "5000", LOWER, "5,000+"),
    ("biotech-company-count", M, "", "1400", LOWER, "1,400+ (MassBio会員数)"),
    ("biotech-company-count", L, "", "3700", LOWER, "3,700+"),
    ("biotech-startup-count", G, "", None, MISSING, "5,000+ (no STARTUPS figure)"),
    ("biotech-startup-count", M, "", "1563", LOWER, "1,563+ (STARTUPS)"),
    ("biotech-startup-count", L, "", None, MISSING, "3,700+ (no STARTUPS figure)"),
    # バイオ関連製造品出荷額 (十億ドル)
    ("bio-manufacturing-shipments", G, "", "122", EXACT, "122"),
    ("bio-manufacturing-shipments", M, "", None, MISSING, "(empty)"),
    ("bio-manufacturing-shipments", L, "", "95.1", EXACT, "95.1 (英国ライフサイエンス産業全体)"),
    # 臨床試験数 (実施数/参加人数)
    ("clinical-trial-count", G, "2019", "6830", EXACT, "6,830 (2019, 大学病院のみ)"),
    ("clinical-trial-count", M, "", "1986", EXACT, "1,986"),
    ("clinical-trial-count", L, "2012-2018", "7000", LOWER, "7,000+/45,000 (2012-2018)"),
    ("clinical-trial-participants", G, "", None, MISSING, "6,830 (no participants)"),
    ("clinical-trial-participants", M, "", None, MISSING, "1,986 (no participants)"),
    ("clinical-trial-participants", L, "2012-2018", "45000", EXACT, "7,000+/45,000 (2012-2018)"),
    # 研究施設床面積
    ("research-facility-floor-area", G, "", None, MISSING, "(480 rooms)"),
    ("research-facility-floor-area", M, "", "3270186", EXACT, "3,270,186 m²"),
    ("research-facility-floor-area", L, "", "100000", LOWER, "100,000 m² + (incubator)"),
    # インキュベーター施設数
    ("incubator-count", G, "", "88", EXACT, "88"),
    ("incubator-count", M, "", "30", LOWER, "30+"),
    ("incubator-count", L, "", "50", LOWER, "50+"),
    # 公的研究費 (*全分野, #NIH)
    ("public-research-funding", G, "", "2728000000", EXACT, "$2,728,000,000*"),
    ("public-research-funding", M, "", "3024098902", EXACT, "$3,024,098,902#"),
    ("public-research-funding", L, "", "271855400", EXACT, "$271,855,400 (ライフサイエンス分野)"),
    # ベンチャーキャピタル投資額 (十億ドル)
    ("venture-capital-investment", G, "", "0.33", EXACT, "0.33"),
    ("venture-capital-investment", M, "", "3.1", EXACT, "3.1"),
    ("venture-capital-investment", L, "", "1.15", EXACT, "1.15"),
    # 新規上場企業数 (2020年1月~12月)
    ("ipo-count", G, "2020", "8", EXACT, "8"),
    ("ipo-count", M, "2020", "23", EXACT, "23"),
    ("ipo-count", L, "2020", "7", EXACT, "7"),
    # 医薬品パイプライン数 (臨床試験以降)
    ("drug-pipeline-count", G, "", "455", EXACT, "455"),
    ("drug-pipeline-count", M, "", "1004", EXACT, "1,004"),
    ("drug-pipeline-count", L, "", "128", EXACT, "128"),
]

# Caveats printed in a 参考4 cell (or its row header): the note must say so, in either language.
SANKO4_CAVEATS: list[tuple[str, str, tuple[str, ...]]] = [
    ("population", G, ("2020",)),
    ("bio-manufacturing-shipments", L, ("英国ライフサイエンス産業全体", "whole uk")),
    ("clinical-trial-count", G, ("大学病院のみ", "university hospitals only")),
    ("research-facility-floor-area", G, ("480 rooms",)),
    ("research-facility-floor-area", L, ("incubator",)),
    ("biotech-company-count", M, ("massbio",)),
    ("biotech-startup-count", M, ("startups",)),
    ("public-research-funding", G, ("全分野", "all fields")),
    ("public-research-funding", M, ("nih",)),
    ("public-research-funding", L, ("ライフサイエンス分野", "life-science field", "life science")),
    ("ipo-count", G, ("2020",)),
]

# The seed prints the currency or the unit in these cells.
SANKO4_UNITS: list[tuple[str, str, str]] = [
    ("average-annual-salary", G, "JPY-10k"),  # 1,180万円
    ("average-annual-salary", M, "USD"),  # $169,271
    ("average-annual-salary", L, "GBP"),  # £125,000
    ("research-facility-floor-area", M, "m2"),  # 3,270,186 m²
    ("research-facility-floor-area", L, "m2"),  # 100,000 m² +
    ("public-research-funding", G, "USD"),  # $2,728,000,000*
    ("public-research-funding", M, "USD"),  # $3,024,098,902#
    ("public-research-funding", L, "USD"),  # $271,855,400
]


def _sanko4_observation(code: str, subject: str) -> Observation:
    found = list(
        Observation.objects.filter(
            indicator__code=code, subject__key=subject, source__contains=R4
        ).select_related("indicator", "subject")
    )
    assert len(found) == 1, f"{code}/{subject}: {len(found)} 参考4 observations, expected 1"
    return found[0]


def _note(obs: Observation) -> str:
    return f"{obs.note_ja}\n{obs.note_en}".lower()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "subject", "period", "value", "kind", "printed"),
    [pytest.param(*cell, id=f"{cell[0]}-{cell[1]}") for cell in SANKO4],
)
def test_sanko4_cell(
    gtb: Any,
    code: str,
    subject: str,
    period: str,
    value: str | None,
    kind: str,
    printed: str,
) -> None:
    obs = _sanko4_observation(code, subject)
    expected_value = None if value is None else Decimal(value)
    assert (obs.period, obs.value, obs.value_kind) == (period, expected_value, kind), (
        f"{code}/{subject}: the seed prints {printed!r}"
    )


@pytest.mark.django_db
def test_sanko4_has_no_extra_observations(gtb: Any) -> None:
    shipped = {
        (o.indicator.code, o.subject.key)
        for o in Observation.objects.filter(source__contains=R4).select_related(
            "indicator", "subject"
        )
    }
    typed = {(code, subject) for code, subject, *_ in SANKO4}
    assert len(typed) == len(SANKO4) == 48
    assert shipped == typed
    assert Observation.objects.filter(source__contains=R4).count() == len(SANKO4)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "subject", "needles"),
    [pytest.param(*c, id=f"{c[0]}-{c[1]}") for c in SANKO4_CAVEATS],
)
def test_sanko4_caveat_in_note(gtb: Any, code: str, subject: str, needles: tuple[str, ...]) -> None:
    note = _note(_sanko4_observation(code, subject))
    assert any(n.lower() in note for n in needles), f"{code}/{subject}: none of {needles} in note"


@pytest.mark.django_db
def test_sanko4_footnote_in_every_note(gtb: Any) -> None:
    # 注) 地域により定義が異なることがある — printed under the whole table.
    lacking = [
        f"{o.indicator.code}/{o.subject.key}"
        for o in Observation.objects.filter(source__contains=R4).select_related(
            "indicator", "subject"
        )
        if "地域により定義が異なる" not in o.note_ja and "definitions may differ" not in o.note_en
    ]
    assert lacking == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "subject", "unit"),
    [pytest.param(*c, id=f"{c[0]}-{c[1]}") for c in SANKO4_UNITS],
)
def test_sanko4_printed_unit(gtb: Any, code: str, subject: str, unit: str) -> None:
    assert _sanko4_observation(code, subject).unit == unit


# ---------------------------------------------------------------------------------------------
# 参考5 バイオ関連5団体加盟企業 年間売上高 (売上高: 百万円). Each scope's seven columns as printed:
# 上場 売上高, 上場 企業数, 非上場 売上高, 非上場 企業数, *, 小計/合計 売上高, 小計/合計 企業数.
# (industry, GTB's seven cells, 全国's seven cells)
# ---------------------------------------------------------------------------------------------
Seven = tuple[str, str, str, str, str, str, str]

SANKO5: list[tuple[str, Seven, Seven]] = [
    (
        "水産・農林業",
        ("69,128", "1", "0", "0", "1", "69,128", "1"),
        ("129,907", "2", "93,734", "3", "4", "223,641", "5"),
    ),
    (
        "建設業",
        ("4,685,513", "7", "102,860", "2", "1", "4,788,373", "9"),
        ("4,701,225", "8", "1,420,654", "8", "1", "6,121,879", "16"),
    ),
    (
        "製造業：医薬品",
        ("6,322,445", "32", "3,477,544", "22", "54", "9,799,989", "54"),
        ("11,507,830", "51", "4,967,884", "35", "70", "16,475,714", "86"),
    ),
    (
        "製造業：化学",
        ("17,989,070", "27", "1,073,408", "7", "9", "19,062,478", "34"),
        ("19,335,001", "31", "1,200,321", "14", "14", "20,535,322", "45"),
    ),
    (
        "製造業：その他素材製造業",
        ("15,052,999", "11", "103,631", "1", "1", "15,156,630", "12"),
        ("15,470,129", "14", "103,831", "2", "3", "15,573,960", "16"),
    ),
    (
        "製造業：食料品",
        ("16,279,584", "24", "409,853", "5", "5", "16,689,437", "29"),
        ("18,361,938", "29", "3,127,880", "14", "9", "21,489,818", "43"),
    ),
    (
        "製造業：電気・機器・機械",
        ("17,214,140", "16", "90,841", "5", "17", "17,304,981", "21"),
        ("50,297,584", "31", "1,763,288", "11", "25", "52,060,872", "42"),
    ),
    (
        "製造業：その他製造業",
        ("2,802,374", "2", "0", "0", "0", "2,802,374", "2"),
        ("2,802,374", "2", "0", "0", "0", "2,802,374", "2"),
    ),
    (
        "運輸・情報通信業",
        ("2,945,503", "7", "7,761", "3", "8", "2,953,264", "10"),
        ("2,945,503", "7", "7,761", "3", "8", "2,953,264", "10"),
    ),
    (
        "商業",
        ("7,190,110", "6", "9,008", "1", "7", "7,199,118", "7"),
        ("9,953,918", "8", "242,416", "4", "7", "10,196,334", "12"),
    ),
    (
        "金融・保険業",
        ("0", "0", "3,894,204", "3", "2", "3,894,204", "3"),
        ("0", "0", "3,894,204", "3", "3", "3,894,204", "3"),
    ),
    (
        "不動産業",
        ("2,007,554", "1", "0", "0", "0", "2,007,554", "1"),
        ("2,007,554", "1", "0", "0", "0", "2,007,554", "1"),
    ),
    (
        "サービス業",
        ("16,117", "3", "1,434,585", "11", "59", "1,450,702", "14"),
        ("23,270", "5", "1,451,613", "14", "81", "1,474,883", "19"),
    ),
    (
        "総合計",
        ("92,574,537", "137", "10,603,695", "60", "164", "103,178,232", "197"),
        ("137,536,233", "189", "18,273,586", "111", "225", "155,809,819", "300"),
    ),
]

# ASCII test ids for the rows above, in the same order (pytest escapes non-ASCII ids).
SANKO5_IDS = (
    "fisheries-agriculture-forestry",
    "construction",
    "mfg-pharmaceuticals",
    "mfg-chemicals",
    "mfg-other-materials",
    "mfg-foods",
    "mfg-electrical-machinery",
    "mfg-other",
    "transport-ict",
    "commerce",
    "finance-insurance",
    "real-estate",
    "services",
    "grand-total",
)

SCOPES = ("gtb", "japan")
SALES_FIELDS = (
    "listed_sales",
    "listed_count",
    "unlisted_sales",
    "unlisted_count",
    "undisclosed_count",
    "sales",
    "total_count",
)


def _parse_seven(cells: Seven) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, cell in zip(SALES_FIELDS, cells, strict=True):
        number = cell.replace(",", "")
        out[field] = Decimal(number) if field.endswith("sales") else int(number)
    return out


def _sanko5_rows() -> list[tuple[str, int, str, dict[str, Any]]]:
    rows = []
    for position, (industry, gtb_cells, japan_cells) in enumerate(SANKO5, start=1):
        rows.append(("gtb", position, industry, _parse_seven(gtb_cells)))
        rows.append(("japan", position, industry, _parse_seven(japan_cells)))
    return rows


def test_sanko5_transcription_adds_up() -> None:
    """Guards the typing above: each row and column of the printed table adds up."""
    rows = _sanko5_rows()
    for scope, _position, industry, v in rows:
        assert v["listed_sales"] + v["unlisted_sales"] == v["sales"], (scope, industry)
        assert v["listed_count"] + v["unlisted_count"] == v["total_count"], (scope, industry)
    for scope in SCOPES:
        parts = [v for s, _, i, v in rows if s == scope and i != "総合計"]
        (total,) = [v for s, _, i, v in rows if s == scope and i == "総合計"]
        for field in SALES_FIELDS:
            assert sum(v[field] for v in parts) == total[field], (scope, field)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scope", "position", "industry", "expected"),
    [
        pytest.param(*row, id=f"{row[0]}-{row[1]:02d}-{SANKO5_IDS[row[1] - 1]}")
        for row in _sanko5_rows()
    ],
)
def test_sanko5_row(
    gtb: Any, scope: str, position: int, industry: str, expected: dict[str, Any]
) -> None:
    row = SalesByIndustry.objects.get(scope=scope, industry_ja=industry)
    assert row.position == position
    assert row.unit == "JPY-million"  # 売上高（百万円）
    shipped = {field: getattr(row, field) for field in SALES_FIELDS}
    assert shipped == expected


@pytest.mark.django_db
@pytest.mark.parametrize("scope", SCOPES)
def test_sanko5_rows_in_order_and_no_extras(gtb: Any, scope: str) -> None:
    shipped = list(
        SalesByIndustry.objects.filter(scope=scope)
        .order_by("position")
        .values_list("position", "industry_ja")
    )
    assert shipped == [(n, industry) for n, (industry, _, _) in enumerate(SANKO5, start=1)]


# ---------------------------------------------------------------------------------------------
# Global Life Sciences Ranking 2021 (Startup Genome, Global Startup Ecosystem Report 2021 Life
# Sciences Edition). The seed elides ranks 11-14 and 16-24 with ⋮.
# (rank, ecosystem, Performance, Funding, Knowledge, Talent, Infrastructure, Policy)
# ---------------------------------------------------------------------------------------------
GENOME_FACTORS = ("performance", "funding", "knowledge", "talent", "infrastructure", "policy")

GENOME: list[tuple[int, str, int, int, int, int, int, int]] = [
    (1, "Silicon Valley", 10, 10, 10, 10, 10, 10),
    (2, "Boston", 10, 10, 8, 9, 10, 10),
    (3, "New York City", 10, 10, 8, 7, 10, 10),
    (4, "London", 9, 10, 7, 10, 10, 6),
    (5, "San Diego", 10, 9, 8, 4, 9, 10),
    (6, "Los Angeles", 7, 7, 8, 8, 8, 10),
    (7, "Washington DC", 8, 8, 7, 4, 8, 10),
    (8, "Philadelphia", 9, 8, 5, 5, 7, 10),
    (9, "Shanghai", 9, 9, 10, 5, 4, 4),
    (10, "Research Triangle", 8, 6, 4, 9, 5, 10),
    (15, "Seoul", 6, 6, 10, 3, 7, 4),
    (25, "Tokyo", 2, 7, 9, 1, 3, 6),
]


def _genome_csv() -> list[dict[str, str]]:
    with GTB_DATA.joinpath("startup_genome_2021.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _genome_cells() -> list[Any]:
    cells = []
    for rank, ecosystem, *scores in GENOME:
        cells.append(pytest.param(ecosystem, "rank", rank, id=f"{ecosystem}-rank"))
        for factor, score in zip(GENOME_FACTORS, scores, strict=True):
            cells.append(pytest.param(ecosystem, factor, score, id=f"{ecosystem}-{factor}"))
    return cells


@pytest.mark.parametrize(("ecosystem", "column", "expected"), _genome_cells())
def test_startup_genome_cell(ecosystem: str, column: str, expected: int) -> None:
    rows = [r for r in _genome_csv() if r["ecosystem_en"] == ecosystem]
    assert len(rows) == 1, f"{ecosystem}: {len(rows)} rows"
    assert int(rows[0][column]) == expected


def test_startup_genome_rows_in_order_and_no_extras() -> None:
    rows = _genome_csv()
    assert set(GENOME_FACTORS) <= set(rows[0])
    shipped = [
        (int(r["rank"]), r["ecosystem_en"], *(int(r[f]) for f in GENOME_FACTORS)) for r in rows
    ]
    assert shipped == GENOME


def test_startup_genome_tokyo_is_25th_with_talent_lowest() -> None:
    # 東京は25位 / Talentが1ポイントで最低評価
    (tokyo,) = [r for r in _genome_csv() if r["ecosystem_en"] == "Tokyo"]
    assert int(tokyo["rank"]) == 25
    assert int(tokyo["talent"]) == 1
    assert min(int(tokyo[f]) for f in GENOME_FACTORS) == 1
