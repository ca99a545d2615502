"""Finding the institutions a round may invite, by name and kind rather than by key.

The secretariat types a name as people say it (慶應, かずさ, LINK-J, an English name); the
directory's search does the Japanese-aware matching, this module narrows it to organisations
that one of the round's institution types covers and says which types each may be invited as.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from biocommunity.assessment.models import Round
from biocommunity.assessment.services.rubrics import InstitutionType, Rubric
from biocommunity.assessment.services.workflow import round_rubric
from biocommunity.registry.choices import OrganizationKind
from biocommunity.registry.models import Classification, Organization
from biocommunity.registry.services import directory

MAX_CANDIDATES = 30


@dataclass(frozen=True)
class Candidate:
    """An organisation the search found, the types it fits and whether it is already in."""

    organization: Organization
    types: list[InstitutionType]
    invited: bool


@dataclass(frozen=True)
class CandidateSearch:
    candidates: list[Candidate]
    more: bool  # more matched than are shown: the secretariat should narrow the search
    searched: bool  # a name or kind was given (an empty search lists nobody)


def covered_kinds(rubric: Rubric) -> list[tuple[str, str]]:
    """Organisation kinds some institution type of the rubric covers, as (value, label)."""
    covered = {kind for t in rubric.types for kind in t.organization_kinds}
    return [(value, str(label)) for value, label in OrganizationKind.choices if value in covered]


def find_candidates(round: Round, q: str = "", kind: str = "") -> CandidateSearch:
    """Organisations matching the name and kind that the round's rubric can assess.

    Raises ValidationError naming the field for a query the directory cannot honour.
    """
    rubric = round_rubric(round)
    kinds = [value for value, _label in covered_kinds(rubric)]
    q, kind = q.strip(), kind.strip()
    if kind and kind not in kinds:
        raise ValidationError({"kind": _("No institution type of this rubric covers this kind.")})
    if not q and not kind:
        return CandidateSearch([], more=False, searched=False)
    try:
        query = directory.parse_query({"q": q, "kind": kind})
    except directory.InvalidQuery as exc:
        raise ValidationError({e["field"]: e["message"] for e in exc.errors}) from None
    found = directory.filtered_organizations(query).filter(
        Exists(Classification.objects.filter(organization=OuterRef("pk"), kind__in=kinds))
    )
    organizations = list(found.prefetch_related("classifications")[: MAX_CANDIDATES + 1])
    invited = set(
        round.assessments.filter(organization__in=organizations[:MAX_CANDIDATES]).values_list(
            "organization_id", flat=True
        )
    )
    candidates = [
        Candidate(org, _fitting_types(org, rubric), org.pk in invited)
        for org in organizations[:MAX_CANDIDATES]
    ]
    return CandidateSearch(candidates, more=len(organizations) > MAX_CANDIDATES, searched=True)


def _fitting_types(organization: Organization, rubric: Rubric) -> list[InstitutionType]:
    # Same rule as types_for, from the prefetched classifications (no query per row).
    kinds = {c.kind for c in organization.classifications.all()}
    return [t for t in rubric.types if kinds & set(t.organization_kinds)]
