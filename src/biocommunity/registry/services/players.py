"""Which registered organisations count as a community's players.

The registry also holds organisations abroad that only appear as someone's international
partner (A*STAR, BIOCOM, the Embassy of Denmark …) or as a national programme's participant
(an overseas certified VC). They keep their pages and stay in the directory, but they are not
players of the community: counting them would inflate its figures (a Singapore agency is no
Greater Tokyo government body). An organisation abroad that takes part, serving one of the
community's hubs or holding a council seat (a Belgian VC in the Nihonbashi hub), counts.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from biocommunity.registry.models import Community, Organization


def abroad() -> Q:
    """Based outside Japan (the country is known and is not JP)."""
    return ~Q(country="") & ~Q(country="JP")


def takes_part(community: Community) -> Q:
    """Serves one of the community's hubs or holds a seat on its council."""
    return Q(hub_memberships__hub__community=community) | Q(council_seats__community=community)


def overseas_outsiders(community: Community) -> QuerySet[Organization]:
    """Organisations abroad that take no part in the community: never counted as players."""
    taking_part = Organization.objects.filter(takes_part(community)).values("pk")
    return Organization.objects.filter(abroad()).exclude(pk__in=taking_part)


def players(community: Community) -> QuerySet[Organization]:
    """Every registered organisation except the overseas outsiders: what the counts count."""
    return Organization.objects.exclude(pk__in=overseas_outsiders(community).values("pk"))
