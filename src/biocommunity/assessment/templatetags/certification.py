"""The community's certification standing, for pages of other apps (the community home)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template

from biocommunity.assessment.models import Assessment
from biocommunity.assessment.services.community import assess_community
from biocommunity.assessment.services.rubrics import Criterion, Text
from biocommunity.core import derived
from biocommunity.core.templatetags.bilingual import current_language
from biocommunity.registry.models import Community

register = template.Library()


@register.inclusion_tag("assessment/_community_panel.html")
def community_certification(community: Community) -> dict[str, Any]:
    # Assessed once per generation of the data, language and day (core.derived), not on
    # every visit to the home page.
    language = current_language()
    data = derived.cached(
        "assessment:community-panel",
        lambda: assess_community(community).for_page(language),
        community.pk,
        language,
        date.today().isoformat(),
    )
    return {"community": community, "data": data}


@register.filter(name="criterion_text")
def criterion_text(criterion: Criterion, language: str) -> str:
    """The criterion in the page's language; thresholds a round sets show as '…'."""
    return criterion.render(language or "ja", {})


@register.filter(name="text_in")
def text_in(text: Text | None, language: str) -> str:
    """A rubric text (name of a type, level, threshold) in the page's language."""
    return text.get(language or "ja") if text is not None else ""


@register.filter(name="type_name")
def type_name(assessment: Assessment) -> str:
    """The assessed institution type (or community kind) by name, in the page's language."""
    from biocommunity.assessment.services.workflow import assessment_type

    try:
        return assessment_type(assessment).name.get(current_language())
    except KeyError:
        return assessment.type_code
