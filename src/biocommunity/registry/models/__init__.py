"""Registry models, split by subdomain; import from here."""

from biocommunity.registry.models.community import Community, Hub, HubFigure
from biocommunity.registry.models.imports import ImportRun
from biocommunity.registry.models.links import (
    CouncilCategory,
    CouncilSeat,
    MarketDomain,
    NationalProject,
    OrganizationMarketDomain,
    Partnership,
    Programme,
    ProgrammeEntry,
    ProjectParticipation,
)
from biocommunity.registry.models.organization import (
    Classification,
    HubMembership,
    Organization,
    OrganizationMember,
)

__all__ = [
    "Classification",
    "Community",
    "CouncilCategory",
    "CouncilSeat",
    "Hub",
    "HubFigure",
    "HubMembership",
    "ImportRun",
    "MarketDomain",
    "NationalProject",
    "Organization",
    "OrganizationMarketDomain",
    "OrganizationMember",
    "Partnership",
    "Programme",
    "ProgrammeEntry",
    "ProjectParticipation",
]
