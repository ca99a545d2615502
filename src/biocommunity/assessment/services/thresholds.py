"""What each threshold of a round measures, so the secretariat can set it without the rubric.

The seed's criteria tables leave some figures blank (「公的資金以外の収入が　割以上」); the rubric
turns each blank into a parameter and every round sets its own value. Where the round asks for
one, the page shows the criteria that use it, for which institution type, and the seed's text
with the blank, so nobody has to guess what the number means.
"""

from __future__ import annotations

from dataclasses import dataclass

from biocommunity.assessment.models import Round
from biocommunity.assessment.services.rubrics import Parameter
from biocommunity.assessment.services.workflow import parameters_needed, round_rubric

BLANK = "＿＿"


@dataclass(frozen=True)
class ThresholdUse:
    """One criterion that uses the threshold, with the blank marked where the value goes."""

    type_name: str
    criterion: str
    seed_ja: str
    source: str


@dataclass(frozen=True)
class Threshold:
    parameter: Parameter
    uses: list[ThresholdUse]


def thresholds_asked(round: Round, language: str) -> list[Threshold]:
    """The thresholds the invited types need, each with the criteria that use it."""
    rubric = round_rubric(round)
    invited = set(round.assessments.values_list("type_code", flat=True))
    result = []
    for parameter in parameters_needed(round):
        uses = []
        for kind in rubric.types:
            if kind.code not in invited:
                continue
            for criterion in (*kind.requirements, *kind.criteria):
                if parameter.code not in criterion.parameters:
                    continue
                values = {**round.parameters, parameter.code: BLANK}
                uses.append(
                    ThresholdUse(
                        type_name=kind.name.get(language),
                        criterion=criterion.render(language, values),
                        seed_ja=criterion.seed_ja,
                        source=criterion.source,
                    )
                )
        result.append(Threshold(parameter, uses))
    return result
