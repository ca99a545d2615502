"""The shipped rubrics: they load, they cover the seed's tables, and bad rubric files are refused.

The expected counts and names below were typed from seed 002 (（参考）成長支援システム（自己評価
システム）の要件のイメージ例 and バイオコミュニティ認定要件のイメージ例), not copied from the YAML
files; only the codes follow the shipped files so that the two can be matched.
"""

from __future__ import annotations

import copy
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.utils import translation

from biocommunity.assessment.services.rubrics import (
    PLACEHOLDER,
    RUBRIC_DIR,
    RubricError,
    get_rubric,
    load_rubric_file,
    parse_rubric,
    rubric_as_dict,
    shipped_rubrics,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_NAME = "002_5702a8b11a23b71d.txt"

# ---------------------------------------------------------------------------------------------
# 成長支援システム: criteria per (type, axis) and stage column
# (参画機関（登録）, 体制整備, 実績提示, 国際的認知), counted bullet by bullet in the seed.
# ---------------------------------------------------------------------------------------------
STAGES = ("registered", "structure", "track_record", "international")
COUNTS: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("rd_advanced", "rd_management"): (2, 4, 4, 1),
    ("rd_advanced", "open_innovation"): (0, 3, 3, 1),
    ("rd_advanced", "community_building"): (0, 3, 3, 0),
    ("rd_advanced", "disclosure"): (0, 1, 1, 0),
    ("rd", "rd_management"): (1, 5, 3, 1),
    ("rd", "open_innovation"): (0, 3, 2, 1),
    ("rd", "community_building"): (0, 3, 3, 0),
    ("rd", "disclosure"): (0, 1, 1, 0),
    ("incubator", "open_innovation"): (1, 6, 2, 1),
    ("incubator", "community_building"): (0, 3, 3, 0),
    ("incubator", "disclosure"): (0, 3, 1, 0),
    ("investment_fund", "open_innovation"): (1, 5, 2, 1),
    ("investment_fund", "community_building"): (0, 1, 1, 0),
    ("investment_fund", "esg_disclosure"): (0, 0, 1, 0),
    ("large_company", "open_innovation"): (1, 5, 3, 1),
    ("large_company", "community_building"): (0, 3, 3, 0),
    ("large_company", "market_roadmap"): (0, 1, 2, 1),
    ("large_company", "esg_disclosure"): (0, 1, 1, 0),
    ("company_biomanufacturing", "open_innovation"): (1, 5, 3, 1),
    ("company_biomanufacturing", "community_building"): (0, 3, 3, 0),
    ("company_biomanufacturing", "market_roadmap"): (0, 1, 1, 1),
    ("company_biomanufacturing", "esg_disclosure"): (0, 0, 1, 0),
}

# Names as the seed prints them (its PDF layout breaks some cells with spaces and uses
# half-width brackets); compared after NFKC normalisation and with whitespace removed.
TYPE_NAMES = {
    "rd_advanced": "研究開発機関 (先端)",
    "rd": "研究開発機関",
    "incubator": "インキュベーション機関",
    "investment_fund": "投資ファンド機関",
    "large_company": "大企業",
    "company_biomanufacturing": "企業・バイオ製造実証機関",
}
AXIS_NAMES = {
    "rd_advanced": [
        "研究開発 機関 マネジメント",
        "オープン イノベーション",
        "コミュニティ 形成",
        "情報開示",
    ],
    "rd": [
        "研究開発 機関 マネジメント",
        "オープン イノベーション",
        "コミュニティ 形成",
        "情報開示",
    ],
    "incubator": ["オープンイノベーション", "コミュニティ形成", "情報開示"],
    "investment_fund": ["オープンイノベーション", "コミュニティ形成", "ESG情報開示"],
    "large_company": [
        "オープンイノベーション",
        "コミュニティ形成",
        "市場領域ロードマップ参画",
        "ESG情報開示",
    ],
    "company_biomanufacturing": [
        "オープンイノベーション",
        "コミュニティ形成",
        "市場領域ロードマップ参画",
        "ESG情報開示",
    ],
}
STAGE_NAMES = ["参画機関 (登録)", "体制整備", "実績提示", "国際的認知"]
LEVEL_NAMES = ["候補", "初期", "成長", "発展"]

# バイオコミュニティ認定要件: *1 and *2, category by category.
GLOBAL_INSTITUTIONS = [
    "ネットワーク機関",
    "研究開発機関（先端）",
    "研究開発機関",
    "バイオ製造実証機関",
    "インキュベーション機関",
    "投資ファンド",
    "大企業",
    "企業（ベンチャー含む）",
    "自治体",
]
REGIONAL_INSTITUTIONS = [
    "ネットワーク機関",
    "研究開発機関",
    "インキュベーション機関",
    "企業（ベンチャー、農家、畜産農家、養殖業者、林業者等含む）",
    "自治体",
]
# 成熟度評価: items per (community kind, axis) in the columns 体制整備, 実績提示, 国際的認知.
MATURITY_COUNTS: dict[tuple[str, str], tuple[int, int, int]] = {
    ("global", "community_open_innovation"): (3, 4, 1),
    ("global", "international_collaboration"): (0, 3, 1),
    ("global", "disclosure"): (2, 1, 0),
    ("regional", "community_open_innovation"): (3, 4, 1),
    ("regional", "international_collaboration"): (0, 1, 1),
    ("regional", "disclosure"): (2, 1, 0),
}
# The seed's "（ をさらに国際レベルにまで拡大させた目標設定）" leaves its reference blank; the
# rubrics spell it out as this prefix, as they fill other blanks with {parameters}.
FILLED_BLANK = "（実績提示の各項目）"
INTERNATIONAL_TEXT = "（実績提示の各項目）をさらに国際レベルにまで拡大させた目標設定"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def name_key(text: str) -> str:
    return squeeze(unicodedata.normalize("NFKC", text))


def strip_tags(text: str) -> str:
    return re.sub(r"<[^>]*>", "", text)


# --------------------------------------------------------------------------- shipped rubrics


def test_every_shipped_rubric_loads_from_its_file() -> None:
    rubrics = shipped_rubrics()
    assert [(r.code, r.version, r.subject) for r in rubrics] == [
        ("communities", "2020.1", "community"),
        ("institutions", "2020.1", "institution"),
    ]
    files = sorted(p.name for p in RUBRIC_DIR.glob("*.yaml"))
    assert files == ["communities-2020.1.yaml", "institutions-2020.1.yaml"]
    for path in RUBRIC_DIR.glob("*.yaml"):
        again = load_rubric_file(path)
        assert again.sha256 == get_rubric(again.code, again.version).sha256
        assert len(again.sha256) == 64
    assert get_rubric("institutions") is get_rubric("institutions", "2020.1")
    with pytest.raises(KeyError):
        get_rubric("institutions", "1999.1")
    with pytest.raises(KeyError):
        get_rubric("no-such-rubric")


@pytest.mark.parametrize("code", ["institutions", "communities"])
def test_codes_are_unique_and_placeholders_match(code: str) -> None:
    rubric = get_rubric(code)
    criteria = list(rubric.criteria())
    codes = [c.code for c in criteria]
    assert len(codes) == len(set(codes))
    assert len({t.code for t in rubric.types}) == len(rubric.types)
    for criterion in criteria:
        assert criterion.text.ja.strip() and criterion.text.en.strip(), criterion.code
        assert set(PLACEHOLDER.findall(criterion.text.ja)) == set(
            PLACEHOLDER.findall(criterion.text.en)
        ), criterion.code
    for kind in rubric.types:
        for criterion in (*kind.requirements, *kind.criteria):
            assert criterion.code.split(".")[0] == kind.code, criterion.code


@pytest.mark.parametrize("code", ["institutions", "communities"])
def test_every_parameter_is_used_in_both_languages(code: str) -> None:
    rubric = get_rubric(code)
    declared = {p.code for p in rubric.parameters}
    assert declared
    assert {p.code for p in rubric.parameters_used()} == declared
    texts_ja = " ".join(c.text.ja for c in rubric.criteria())
    texts_en = " ".join(c.text.en for c in rubric.criteria())
    for parameter in declared:
        assert f"{{{parameter}}}" in texts_ja, parameter
        assert f"{{{parameter}}}" in texts_en, parameter


def test_parameters_used_narrows_to_the_types_asked_for() -> None:
    rubric = get_rubric("institutions")
    assert [p.code for p in rubric.parameters_used(["incubator"])] == [
        "incubatee_annual_funding_oku_yen",
        "incubatee_funding_window_years",
    ]
    assert rubric.parameters_used(["investment_fund"]) == []
    assert [p.code for p in rubric.parameters_used(["company_biomanufacturing"])] == [
        "funding_raised_oku_yen",
        "funding_deals_count",
    ]


def test_render_fills_the_round_thresholds() -> None:
    criterion = get_rubric("institutions").criterion("incubator.open_innovation.track_record.1")
    assert criterion.parameters == (
        "incubatee_annual_funding_oku_yen",
        "incubatee_funding_window_years",
    )
    values = {"incubatee_annual_funding_oku_yen": 5, "incubatee_funding_window_years": 3}
    ja = criterion.render("ja", values)
    assert "5億円以上" in ja and "3年" in ja
    assert "{" not in criterion.render("en", values)
    assert "…" in criterion.render("ja", {})


# ---------------------------------------------------------------- institutions vs the seed


def test_institution_rubric_has_the_seed_counts_per_type_axis_and_stage() -> None:
    rubric = get_rubric("institutions")
    found: dict[tuple[str, str], tuple[int, ...]] = {}
    for kind in rubric.types:
        for axis in kind.axes:
            found[(kind.code, axis.code)] = tuple(
                sum(1 for c in axis.criteria if c.stage == stage) for stage in STAGES
            )
            assert all(c.axis == axis.code for c in axis.criteria)
    assert found == COUNTS
    assert sum(sum(row) for row in COUNTS.values()) == 124
    assert len(list(rubric.criteria())) == 124


def test_institution_rubric_names_follow_the_seed() -> None:
    rubric = get_rubric("institutions")
    assert [t.code for t in rubric.types] == list(TYPE_NAMES)
    assert {t.code: name_key(t.name.ja) for t in rubric.types} == {
        code: name_key(name) for code, name in TYPE_NAMES.items()
    }
    assert {t.code: [name_key(a.name.ja) for a in t.axes] for t in rubric.types} == {
        code: [name_key(n) for n in names] for code, names in AXIS_NAMES.items()
    }
    assert [s.code for s in rubric.stages] == list(STAGES)
    assert [name_key(s.name.ja) for s in rubric.stages] == [name_key(n) for n in STAGE_NAMES]
    assert [lv.name.ja for lv in rubric.levels] == LEVEL_NAMES
    assert [(lv.code, lv.stages) for lv in rubric.levels] == [
        ("candidate", ("registered",)),
        ("initial", ("structure",)),
        ("growth", ("track_record",)),
        ("advanced", ("international",)),
    ]
    assert [lv.name.en for lv in rubric.levels] == ["Candidate", "Initial", "Growth", "Advanced"]
    for kind in rubric.types:
        assert kind.name.en and kind.organization_kinds, kind.code
        assert kind.requirements == ()


def test_institution_texts_are_the_seed_bullets_with_blanks_as_parameters() -> None:
    for criterion in get_rubric("institutions").criteria():
        assert criterion.seed_ja, criterion.code
        assert criterion.source.startswith("002 "), criterion.code
        if criterion.stage == "international":
            assert criterion.text.ja == INTERNATIONAL_TEXT, criterion.code
            assert "をさらに国際レベルにまで拡大させた目標設定" in criterion.seed_ja
            continue
        blanked = PLACEHOLDER.sub("", criterion.text.ja)
        assert squeeze(blanked) == squeeze(criterion.seed_ja), criterion.code


def test_rubric_as_dict_keeps_every_criterion() -> None:
    rubric = get_rubric("institutions")
    data = rubric_as_dict(rubric)
    assert data["code"] == "institutions"
    assert data["sha256"] == rubric.sha256
    assert [lv["ja"] for lv in data["levels"]] == LEVEL_NAMES
    assert len(data["types"]) == 6
    criteria = [c for t in data["types"] for a in t["axes"] for c in a["criteria"]]
    assert len(criteria) == 124
    assert all("check" not in c for c in criteria)
    filled = rubric_as_dict(rubric, {"non_public_income_tenths": 3})
    item = next(
        c
        for t in filled["types"]
        for a in t["axes"]
        for c in a["criteria"]
        if c["code"] == "rd_advanced.open_innovation.track_record.1"
    )
    assert item["ja"] == "公的資金以外の収入が3割以上"
    assert item["parameters"] == ["non_public_income_tenths"]
    value = next(p for p in filled["parameters"] if p["code"] == "non_public_income_tenths")
    assert value["value"] == 3


# ---------------------------------------------------------------- communities vs the seed


def test_community_rubric_counts_and_institution_sets() -> None:
    rubric = get_rubric("communities")
    assert [t.code for t in rubric.types] == ["global", "regional"]
    assert [t.name.ja for t in rubric.types] == [
        "グローバルバイオコミュニティ",
        "地域バイオコミュニティ",
    ]
    assert [len(t.requirements) for t in rubric.types] == [7, 7]
    found = {
        (t.code, a.code): tuple(
            sum(1 for c in a.criteria if c.stage == s)
            for s in ("structure", "track_record", "international")
        )
        for t in rubric.types
        for a in t.axes
    }
    assert found == MATURITY_COUNTS
    assert [c.name.ja for c in rubric.institution_set("global").categories] == GLOBAL_INSTITUTIONS
    assert [
        c.name.ja for c in rubric.institution_set("regional").categories
    ] == REGIONAL_INSTITUTIONS
    network = [c for c in rubric.institution_set("global").categories if c.network_organisation]
    assert [c.code for c in network] == ["network"]
    advanced = next(
        c for c in rubric.institution_set("global").categories if c.code == "rd_advanced"
    )
    assert advanced.qualifier["max_rank"] == 100
    assert advanced.qualifier["min_fields"] == 2
    requirement = rubric.criterion("global.required_institutions")
    assert requirement.check == "required_institutions"
    assert requirement.params == {"set": "global", "radius_km": 100}


def _seed_text() -> str:
    candidates = []
    if os.environ.get("BIOCOMMUNITY_SEEDS_DIR"):
        candidates.append(Path(os.environ["BIOCOMMUNITY_SEEDS_DIR"]) / SEED_NAME)
    candidates.append(REPO_ROOT.parent / "shared" / "seeds" / SEED_NAME)
    for path in candidates:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    pytest.skip(
        f"seed {SEED_NAME} not found (set BIOCOMMUNITY_SEEDS_DIR or place it in ../shared/seeds)"
    )


def _growth_support_rows(seed: str) -> list[tuple[str, str, list[str]]]:
    """(type name, axis name, four stage cells) of the three 成長支援システム tables."""
    rows: list[tuple[str, str, list[str]]] = []
    lines = seed.splitlines()
    tables = 0
    index = 0
    while index < len(lines):
        if lines[index].startswith("\t評価軸\t参画機関"):
            header = lines[index].split("\t")
            assert [name_key(h) for h in header[2:]] == [name_key(n) for n in STAGE_NAMES]
            tables += 1
            current_type = ""
            index += 1
            while index < len(lines) and lines[index].strip():
                cells = lines[index].split("\t")
                assert len(cells) == 6, lines[index]
                current_type = cells[0].strip() or current_type
                rows.append((current_type, cells[1], cells[2:]))
                index += 1
        index += 1
    assert tables == 3
    return rows


def test_every_growth_support_cell_is_the_criteria_seed_text() -> None:
    seed = _seed_text()
    content = yaml.safe_load((RUBRIC_DIR / "institutions-2020.1.yaml").read_text(encoding="utf-8"))
    types = {name_key(t["ja"]): t for t in content["institution_types"]}
    visited: list[tuple[str, str]] = []
    for type_name, axis_name, cells in _growth_support_rows(seed):
        kind = types[name_key(type_name)]
        axis = next(a for a in kind["axes"] if name_key(a["ja"]) == name_key(axis_name))
        visited.append((kind["code"], axis["code"]))
        for stage, cell in zip(STAGES, cells, strict=True):
            expected = squeeze(strip_tags(cell))
            if expected == "-":
                expected = ""
            got = "".join(squeeze(c["seed_ja"]) for c in axis["criteria"] if c["stage"] == stage)
            assert got == expected, (kind["code"], axis["code"], stage)
    assert visited == list(COUNTS)


def test_every_community_requirement_text_is_in_the_seed() -> None:
    seed = _seed_text()
    start = seed.index("バイオコミュニティ認定要件のイメージ例")
    end = seed.index("成長支援システム（自己評価システム）の要件のイメージ例", start)
    tables = strip_tags(seed[start:end]).replace("•", "")
    text = squeeze(tables)
    rubric = get_rubric("communities")
    checked = 0
    for criterion in rubric.criteria():
        wanted = criterion.text.ja.replace("{category_min_level}", "").replace(FILLED_BLANK, "")
        assert squeeze(wanted) in text, criterion.code
        checked += 1
    assert checked == 7 + 7 + sum(sum(row) for row in MATURITY_COUNTS.values())
    for kind in rubric.types:
        assert squeeze(kind.name.ja) in text
        for axis in kind.axes:
            assert squeeze(axis.name.ja) in text, axis.code
    lines = {line.split("：")[0]: line for line in seed[start:end].splitlines() if "：" in line}
    assert lines["*1 グローバルバイオコミュニティ必要機関"].split("：")[1] == "、".join(
        GLOBAL_INSTITUTIONS
    )
    assert lines["*2 地域バイオコミュニティ必要機関"].split("：")[1] == "、".join(
        REGIONAL_INSTITUTIONS
    )


# --------------------------------------------------------------------------- parse errors


def minimal() -> dict[str, Any]:
    """The smallest valid institution rubric; each error test breaks one thing in a copy."""
    return {
        "code": "mini",
        "version": "1",
        "subject": "institution",
        "title": {"ja": "小", "en": "Mini"},
        "level_rule": {"ja": "順に", "en": "In order"},
        "stages": [
            {"code": "first", "ja": "第一", "en": "First"},
            {"code": "second", "ja": "第二", "en": "Second"},
        ],
        "levels": [
            {"code": "low", "ja": "低", "en": "Low", "stages": ["first"]},
            {"code": "high", "ja": "高", "en": "High", "stages": ["second"]},
        ],
        "parameters": [{"code": "years", "ja": "年数", "en": "Years", "type": "integer"}],
        "institution_types": [
            {
                "code": "lab",
                "ja": "研究所",
                "en": "Lab",
                "organization_kinds": ["research_institute"],
                "axes": [
                    {
                        "code": "work",
                        "ja": "研究",
                        "en": "Work",
                        "criteria": [
                            {
                                "code": "lab.work.1",
                                "stage": "first",
                                "ja": "直近{years}年の実績",
                                "en": "Record of the last {years} years",
                            },
                            {"code": "lab.work.2", "stage": "second", "ja": "体制", "en": "Set-up"},
                        ],
                    }
                ],
            }
        ],
    }


def criteria_of(content: dict[str, Any]) -> list[dict[str, Any]]:
    return content["institution_types"][0]["axes"][0]["criteria"]


def test_the_minimal_rubric_parses() -> None:
    rubric = parse_rubric(minimal(), "mini.yaml")
    assert rubric.label == "mini 1"
    assert [c.code for c in rubric.criteria()] == ["lab.work.1", "lab.work.2"]
    assert rubric.criterion("lab.work.1").parameters == ("years",)
    assert parse_rubric(minimal()).sha256 == rubric.sha256


def _undeclared(c: dict[str, Any]) -> None:
    criteria_of(c)[1].update(ja="{months}か月", en="{months} months")


def _unused(c: dict[str, Any]) -> None:
    c["parameters"].append({"code": "share", "ja": "割合", "en": "Share", "type": "number"})


def _mismatched(c: dict[str, Any]) -> None:
    criteria_of(c)[0]["en"] = "Record of recent years"


def _duplicate(c: dict[str, Any]) -> None:
    criteria_of(c)[1]["code"] = "lab.work.1"


def _unknown_stage(c: dict[str, Any]) -> None:
    criteria_of(c)[1]["stage"] = "third"


def _unknown_level_stage(c: dict[str, Any]) -> None:
    c["levels"][1]["stages"] = ["third"]


def _unknown_kind(c: dict[str, Any]) -> None:
    c["institution_types"][0]["organization_kinds"] = ["research_institute", "spaceship"]


def _levels_short(c: dict[str, Any]) -> None:
    del c["levels"][1]


def _levels_out_of_order(c: dict[str, Any]) -> None:
    c["levels"][0]["stages"], c["levels"][1]["stages"] = ["second"], ["first"]


def _stage_twice(c: dict[str, Any]) -> None:
    c["levels"][1]["stages"] = ["first", "second"]


def _bad_parameter_type(c: dict[str, Any]) -> None:
    c["parameters"][0]["type"] = "date"


def _missing_english(c: dict[str, Any]) -> None:
    del criteria_of(c)[1]["en"]


def _bad_subject(c: dict[str, Any]) -> None:
    c["subject"] = "person"


def _check_on_institution(c: dict[str, Any]) -> None:
    criteria_of(c)[1]["check"] = "targets"


@pytest.mark.parametrize(
    ("breaks", "message"),
    [
        (
            _undeclared,
            "mini.yaml: institution_types[0].axes[0].criteria[1]: parameter 'months' is not "
            "declared",
        ),
        (_unused, "mini.yaml: parameters: parameter 'share' is declared but not used"),
        (
            _mismatched,
            "mini.yaml: institution_types[0].axes[0].criteria[0]: the Japanese and English texts "
            "use different {parameters}",
        ),
        (
            _duplicate,
            "mini.yaml: institution_types[0].axes[0].criteria[1]: code 'lab.work.1' is used twice",
        ),
        (
            _unknown_stage,
            "mini.yaml: institution_types[0].axes[0].criteria[1]: unknown stage 'third'",
        ),
        (_unknown_level_stage, "mini.yaml: levels[1]: unknown stage 'third'"),
        (
            _unknown_kind,
            "mini.yaml: institution_types[0]: unknown organisation kind 'spaceship'",
        ),
        (_levels_short, "mini.yaml: levels: the levels must cover every stage once"),
        (_levels_out_of_order, "mini.yaml: levels: the levels must cover every stage once"),
        (_stage_twice, "mini.yaml: levels[1]: stage 'first' already belongs to an earlier level"),
        (_bad_parameter_type, "mini.yaml: parameters[0]: type must be one of"),
        (_missing_english, "mini.yaml: institution_types[0].axes[0].criteria[1]: 'en' is missing"),
        (_bad_subject, "mini.yaml: subject: must be one of institution, community"),
        (
            _check_on_institution,
            "mini.yaml: institution_types[0].axes[0].criteria[1]: unknown check 'targets'",
        ),
    ],
)
def test_parse_errors_name_the_place(breaks: Any, message: str) -> None:
    content = copy.deepcopy(minimal())
    breaks(content)
    with pytest.raises(RubricError) as caught:
        parse_rubric(content, "mini.yaml")
    assert message in str(caught.value)


def test_a_rubric_file_must_be_named_after_its_code_and_version(tmp_path: Path) -> None:
    wrong = tmp_path / "mini.yaml"
    wrong.write_text(yaml.safe_dump(minimal(), allow_unicode=True), encoding="utf-8")
    with pytest.raises(RubricError, match=r"the file must be named mini-1\.yaml"):
        load_rubric_file(wrong)
    right = tmp_path / "mini-1.yaml"
    right.write_text(wrong.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_rubric_file(right).code == "mini"
    broken = tmp_path / "broken-1.yaml"
    broken.write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(RubricError, match=r"broken-1\.yaml: not valid YAML"):
        load_rubric_file(broken)


# --------------------------------------------------------------------------- parameters


@pytest.fixture
def english() -> Any:
    with translation.override("en"):
        yield


def test_integer_parameter_parsing(english: None) -> None:
    years = get_rubric("institutions").parameter("top100_window_years")
    assert years.type == "integer"
    assert years.parse("3") == 3
    assert years.parse(" 5 ") == 5
    assert years.parse("4.0") == 4
    with pytest.raises(ValueError, match="must be a whole number"):
        years.parse(2.5)
    with pytest.raises(ValueError, match="is not a number"):
        years.parse("abc")
    with pytest.raises(ValueError, match="must be zero or more"):
        years.parse("-2")
    with pytest.raises(ValueError, match="no value"):
        years.parse("  ")
    with pytest.raises(ValueError, match="no value"):
        years.parse(None)


def test_number_parameter_parsing(english: None) -> None:
    share = get_rubric("institutions").parameter("non_public_income_tenths")
    assert share.type == "number"
    assert share.parse("2.5") == 2.5
    assert share.parse(3) == 3
    assert isinstance(share.parse("3"), int)
    assert share.parse("0") == 0
    with pytest.raises(ValueError, match="must be zero or more"):
        share.parse(-1)
    with pytest.raises(ValueError, match="is not a number"):
        share.parse("Infinity")
    with pytest.raises(ValueError, match="is not a number"):
        share.parse("3割")


def test_choice_parameter_parsing(english: None) -> None:
    level = get_rubric("communities").parameter("category_min_level")
    assert level.type == "choice"
    assert level.choices == ("candidate", "initial", "growth", "advanced")
    assert level.parse(" growth ") == "growth"
    with pytest.raises(ValueError, match="must be one of candidate, initial, growth, advanced"):
        level.parse("expert")
    with pytest.raises(ValueError, match="must be one of"):
        level.parse("Growth")
