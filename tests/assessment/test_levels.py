"""The level rule: levels are successive, each needs every criterion of its stages and below."""

from __future__ import annotations

from typing import Any

import pytest

from biocommunity.assessment.services.levels import (
    criteria_of_level,
    level_for,
    level_rank,
)
from biocommunity.assessment.services.rubrics import (
    InstitutionType,
    Rubric,
    get_rubric,
    parse_rubric,
)


@pytest.fixture
def rubric() -> Rubric:
    return get_rubric("institutions")


@pytest.fixture
def incubator(rubric: Rubric) -> InstitutionType:
    return rubric.type("incubator")


def codes(kind: InstitutionType, *stages: str) -> list[str]:
    return [c.code for c in kind.criteria if c.stage in stages]


def test_the_incubator_stages_as_the_seed_counts_them(incubator: InstitutionType) -> None:
    assert codes(incubator, "registered") == ["incubator.open_innovation.registered.1"]
    assert len(codes(incubator, "structure")) == 12
    assert len(codes(incubator, "track_record")) == 6
    assert codes(incubator, "international") == ["incubator.open_innovation.international.1"]


def test_nothing_met_gives_no_level(rubric: Rubric, incubator: InstitutionType) -> None:
    result = level_for(rubric, incubator, [])
    assert result.level is None
    assert result.level_code == ""
    assert result.reached == ()
    assert result.next_level is not None and result.next_level.code == "candidate"
    assert [c.code for c in result.missing_for_next] == ["incubator.open_innovation.registered.1"]
    assert result.met == ()


def test_all_registered_criteria_give_candidate(rubric: Rubric, incubator: InstitutionType) -> None:
    result = level_for(rubric, incubator, codes(incubator, "registered"))
    assert result.level_code == "candidate"
    assert result.level is not None and result.level.name.ja == "候補"
    assert [lv.code for lv in result.reached] == ["candidate"]
    assert result.next_level is not None and result.next_level.code == "initial"
    assert [c.code for c in result.missing_for_next] == codes(incubator, "structure")
    assert [c.code for c in result.met] == codes(incubator, "registered")


def test_registered_and_structure_give_initial(rubric: Rubric, incubator: InstitutionType) -> None:
    result = level_for(rubric, incubator, codes(incubator, "registered", "structure"))
    assert result.level_code == "initial"
    assert result.level is not None and result.level.name.ja == "初期"
    assert [lv.code for lv in result.reached] == ["candidate", "initial"]
    assert result.next_level is not None and result.next_level.code == "growth"
    assert [c.code for c in result.missing_for_next] == codes(incubator, "track_record")
    assert len(result.met) == 13


def test_one_structure_criterion_short_stays_candidate(
    rubric: Rubric, incubator: InstitutionType
) -> None:
    structure = codes(incubator, "structure")
    left_out = "incubator.community_building.structure.2"
    assert left_out in structure
    met = codes(incubator, "registered") + [c for c in structure if c != left_out]
    result = level_for(rubric, incubator, met)
    assert result.level_code == "candidate"
    assert result.next_level is not None and result.next_level.code == "initial"
    assert [c.code for c in result.missing_for_next] == [left_out]


def test_levels_are_successive(rubric: Rubric, incubator: InstitutionType) -> None:
    # Every structure and track-record criterion, but the registration criterion is missing.
    result = level_for(rubric, incubator, codes(incubator, "structure", "track_record"))
    assert result.level is None
    assert result.reached == ()
    assert result.next_level is not None and result.next_level.code == "candidate"
    assert [c.code for c in result.missing_for_next] == ["incubator.open_innovation.registered.1"]
    assert len(result.met) == 18


def test_everything_met_gives_advanced(rubric: Rubric, incubator: InstitutionType) -> None:
    result = level_for(rubric, incubator, [c.code for c in incubator.criteria])
    assert result.level_code == "advanced"
    assert result.level is not None and result.level.name.ja == "発展"
    assert [lv.code for lv in result.reached] == ["candidate", "initial", "growth", "advanced"]
    assert result.next_level is None
    assert result.missing_for_next == ()
    assert len(result.met) == len(incubator.criteria) == 20


def test_codes_of_another_type_are_ignored(rubric: Rubric, incubator: InstitutionType) -> None:
    others = [c.code for c in rubric.type("rd_advanced").criteria] + ["no.such.code"]
    result = level_for(rubric, incubator, others)
    assert result.level is None
    assert result.met == ()
    mixed = level_for(rubric, incubator, [*others, *codes(incubator, "registered")])
    assert mixed.level_code == "candidate"
    assert [c.code for c in mixed.met] == codes(incubator, "registered")


def test_an_empty_stage_column_asks_nothing(rubric: Rubric) -> None:
    # 投資ファンド機関: ESG情報開示 has "-" under 体制整備, the other axes do not.
    fund = rubric.type("investment_fund")
    met = codes(fund, "registered", "structure")
    result = level_for(rubric, fund, met)
    assert result.level_code == "initial"
    assert [c.axis for c in result.missing_for_next].count("esg_disclosure") == 1


def test_level_rank_and_criteria_of_level(rubric: Rubric, incubator: InstitutionType) -> None:
    assert [
        level_rank(rubric, code) for code in ("candidate", "initial", "growth", "advanced")
    ] == [
        0,
        1,
        2,
        3,
    ]
    assert level_rank(rubric, "") == -1
    assert level_rank(rubric, "expert") == -1
    assert [c.code for c in criteria_of_level(incubator, rubric.level("growth"))] == codes(
        incubator, "track_record"
    )


# ------------------------------------------------------------------ a rubric with three levels


def three_levels() -> dict[str, Any]:
    """Four stages grouped into three levels: the first level takes two stages."""

    def criterion(code: str, stage: str) -> dict[str, str]:
        return {"code": code, "stage": stage, "ja": f"要件{code}", "en": f"Criterion {code}"}

    return {
        "code": "three",
        "version": "1",
        "subject": "institution",
        "title": {"ja": "三段階", "en": "Three levels"},
        "level_rule": {"ja": "順に", "en": "In order"},
        "stages": [
            {"code": "registered", "ja": "登録", "en": "Registered"},
            {"code": "structure", "ja": "体制", "en": "Structure"},
            {"code": "track_record", "ja": "実績", "en": "Track record"},
            {"code": "international", "ja": "国際", "en": "International"},
        ],
        "levels": [
            {"code": "bronze", "ja": "銅", "en": "Bronze", "stages": ["registered", "structure"]},
            {"code": "silver", "ja": "銀", "en": "Silver", "stages": ["track_record"]},
            {"code": "gold", "ja": "金", "en": "Gold", "stages": ["international"]},
        ],
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
                            criterion("lab.r1", "registered"),
                            criterion("lab.s1", "structure"),
                            criterion("lab.s2", "structure"),
                            criterion("lab.t1", "track_record"),
                        ],
                    }
                ],
            }
        ],
    }


def test_the_number_and_names_of_levels_come_from_the_rubric() -> None:
    rubric = parse_rubric(three_levels(), "three-1.yaml")
    lab = rubric.type("lab")
    assert [(lv.code, lv.name.ja) for lv in rubric.levels] == [
        ("bronze", "銅"),
        ("silver", "銀"),
        ("gold", "金"),
    ]

    nothing = level_for(rubric, lab, [])
    assert nothing.level is None
    assert nothing.next_level is not None and nothing.next_level.code == "bronze"
    assert [c.code for c in nothing.missing_for_next] == ["lab.r1", "lab.s1", "lab.s2"]

    registered_only = level_for(rubric, lab, ["lab.r1"])
    assert registered_only.level is None
    assert [c.code for c in registered_only.missing_for_next] == ["lab.s1", "lab.s2"]

    bronze = level_for(rubric, lab, ["lab.r1", "lab.s1", "lab.s2"])
    assert bronze.level_code == "bronze"
    assert [c.code for c in bronze.missing_for_next] == ["lab.t1"]

    # No criterion in the international column: gold follows as soon as silver is reached.
    gold = level_for(rubric, lab, ["lab.r1", "lab.s1", "lab.s2", "lab.t1"])
    assert gold.level_code == "gold"
    assert [lv.code for lv in gold.reached] == ["bronze", "silver", "gold"]
    assert gold.next_level is None
    assert level_rank(rubric, "gold") == 2
