"""The community's certification standing, for pages of other apps (the community home)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from biocommunity.assessment.services.community import assess_community
from biocommunity.registry.models import Community

register = template.Library()


@register.inclusion_tag("assessment/_community_panel.html")
def community_certification(community: Community) -> dict[str, Any]:
    result = assess_community(community)
    return {"community": community, "data": result.for_page((get_language() or "ja")[:2])}
