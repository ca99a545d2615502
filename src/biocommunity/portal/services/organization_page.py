"""What the organisation page shows from other apps, each read through that app's services:
the matching profiles this viewer may see and the organisation's certificates in force."""

from __future__ import annotations

from typing import Any

from biocommunity.assessment.models import Certificate
from biocommunity.assessment.services.register import certificates_in_force
from biocommunity.matching.models import Profile
from biocommunity.matching.services.visibility import visible_profiles
from biocommunity.registry.models import Organization

MAX_PROFILES = 50


def profiles_of(user: Any, organization: Organization) -> list[Profile]:
    """The organisation's profiles this viewer may see (the matching visibility rule: the
    public sees live public ones, members also members-only ones), newest first."""
    return list(
        visible_profiles(user)
        .filter(organization=organization)
        .select_related("market_domain")
        .order_by("-updated_at", "-pk")[:MAX_PROFILES]
    )


def certificates_of(organization: Organization) -> list[Certificate]:
    """The organisation's certificates in force today (issued or revised, inside their
    dates, neither superseded nor revoked), as the public register lists them."""
    return sorted(
        (c for c in certificates_in_force() if c.organization_id == organization.pk),
        key=lambda c: (c.type_code, c.level_code, c.number),
    )
