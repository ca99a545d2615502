"""Introductions: a request, the other side's answer, and contacts revealed only on acceptance.

Also the pipeline numbers (requested, accepted, meetings held) the secretariat reports and
records as indicator observations.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from biocommunity.core import roles
from biocommunity.matching.choices import IntroductionStatus
from biocommunity.matching.models import Introduction, Profile
from biocommunity.matching.services import visibility
from biocommunity.registry.services.permissions import member_organization

MAX_MESSAGE_CHARS = 2000
PIPELINE_INDICATORS = Path(__file__).resolve().parent.parent / "data" / "pipeline_indicators.yaml"


def _own_or_refuse(user: Any) -> Any:
    own = member_organization(user)
    if own is None:
        raise PermissionDenied(_("Only members of an organisation can ask for introductions."))
    return own


@transaction.atomic
def request_introduction(
    user: Any, profile: Profile, message: str, *, from_profile: Profile | None = None
) -> Introduction:
    """Ask to meet the owner of a profile the user can see (not one's own organisation's)."""
    own = _own_or_refuse(user)
    if not visibility.can_see(user, profile):
        raise Profile.DoesNotExist
    if profile.organization_id == own.pk:
        raise ValidationError({"profile": [_("This profile is your own organisation's.")]})
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": [_("Say briefly why you would like to meet.")]})
    if len(message) > MAX_MESSAGE_CHARS:
        raise ValidationError(
            {"message": [_("At most %(limit)s characters.") % {"limit": MAX_MESSAGE_CHARS}]}
        )
    if from_profile is not None and from_profile.organization_id != own.pk:
        raise ValidationError(
            {"from_profile": [_("You can write only on behalf of your own profiles.")]}
        )
    if Introduction.objects.filter(
        profile=profile, requester_organization=own, status=IntroductionStatus.REQUESTED
    ).exists():
        raise ValidationError(
            {"profile": [_("Your organisation has already asked; wait for the answer.")]}
        )
    try:
        with transaction.atomic():
            return Introduction.objects.create(
                profile=profile,
                from_profile=from_profile,
                requester=user,
                requester_organization=own,
                message=message,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"profile": [_("Your organisation has already asked; wait for the answer.")]}
        ) from exc


def involved_q(user: Any) -> Q:
    """Introductions a user takes part in: asked by or addressed to their organisation."""
    own = member_organization(user)
    if own is None:
        return Q(requester=user)
    return Q(requester_organization=own) | Q(profile__organization=own)


def introductions_for(user: Any) -> QuerySet[Introduction]:
    queryset = Introduction.objects.select_related(
        "profile__organization", "requester", "requester_organization", "from_profile"
    )
    if roles.is_secretariat(user):
        return queryset
    return queryset.filter(involved_q(user))


def get_introduction(user: Any, pk: int) -> Introduction:
    return introductions_for(user).get(pk=pk)


def is_recipient(user: Any, introduction: Introduction) -> bool:
    own = member_organization(user)
    return own is not None and own.pk == introduction.profile.organization_id


def is_requester(user: Any, introduction: Introduction) -> bool:
    own = member_organization(user)
    return own is not None and own.pk == introduction.requester_organization_id


@transaction.atomic
def answer_introduction(
    user: Any, introduction: Introduction, *, accept: bool, reply: str = ""
) -> Introduction:
    """The profile's owner accepts or declines; only an open request can be answered."""
    if not is_recipient(user, introduction):
        raise PermissionDenied(_("Only the profile's organisation can answer this request."))
    introduction = Introduction.objects.select_for_update().get(pk=introduction.pk)
    if introduction.status != IntroductionStatus.REQUESTED:
        raise ValidationError({"status": [_("This request was already answered or withdrawn.")]})
    if len(reply) > MAX_MESSAGE_CHARS:
        raise ValidationError(
            {"reply": [_("At most %(limit)s characters.") % {"limit": MAX_MESSAGE_CHARS}]}
        )
    introduction.status = IntroductionStatus.ACCEPTED if accept else IntroductionStatus.DECLINED
    introduction.reply = reply.strip()
    introduction.decided_by = user
    introduction.decided_at = timezone.now()
    introduction.save()
    return introduction


@transaction.atomic
def withdraw_introduction(user: Any, introduction: Introduction) -> Introduction:
    if not is_requester(user, introduction):
        raise PermissionDenied(_("Only the requesting organisation can withdraw this request."))
    introduction = Introduction.objects.select_for_update().get(pk=introduction.pk)
    if introduction.status != IntroductionStatus.REQUESTED:
        raise ValidationError({"status": [_("Only an open request can be withdrawn.")]})
    introduction.status = IntroductionStatus.WITHDRAWN
    introduction.save(update_fields=["status"])
    return introduction


@transaction.atomic
def record_meeting(user: Any, introduction: Introduction, held_on: date) -> Introduction:
    """Either side (or the secretariat) notes that the meeting took place."""
    if not (
        is_requester(user, introduction)
        or is_recipient(user, introduction)
        or roles.is_secretariat(user)
    ):
        raise PermissionDenied(_("Only the two organisations can record their meeting."))
    if introduction.status != IntroductionStatus.ACCEPTED:
        raise ValidationError({"meeting_held_on": [_("Only an accepted introduction can meet.")]})
    if held_on > timezone.localdate():
        raise ValidationError({"meeting_held_on": [_("The date is in the future.")]})
    if held_on < introduction.created_at.date():
        raise ValidationError({"meeting_held_on": [_("The date is before the request.")]})
    introduction.meeting_held_on = held_on
    introduction.save(update_fields=["meeting_held_on"])
    return introduction


@dataclass(frozen=True)
class Contact:
    organization: str
    name: str
    email: str


def revealed_contacts(user: Any, introduction: Introduction) -> dict[str, Contact] | None:
    """Both sides' contacts, once accepted, to the two organisations and the secretariat only."""
    if introduction.status != IntroductionStatus.ACCEPTED:
        return None
    if not (
        is_requester(user, introduction)
        or is_recipient(user, introduction)
        or roles.is_secretariat(user)
    ):
        return None
    profile = introduction.profile
    requester = introduction.requester
    from_profile = introduction.from_profile
    return {
        "profile": Contact(
            organization=str(profile.organization),
            name=profile.contact_name
            or (introduction.decided_by.get_full_name() if introduction.decided_by else ""),
            email=profile.contact_email
            or (introduction.decided_by.email if introduction.decided_by else ""),
        ),
        "requester": Contact(
            organization=str(introduction.requester_organization),
            name=(from_profile.contact_name if from_profile else "")
            or requester.get_full_name()
            or requester.get_username(),
            email=(from_profile.contact_email if from_profile else "") or requester.email,
        ),
    }


# ---------------------------------------------------------------- pipeline


@dataclass(frozen=True)
class PipelineRow:
    period: str
    requested: int
    accepted: int
    declined: int
    meetings: int


def pipeline(user: Any) -> list[PipelineRow]:
    """Introductions by calendar year of the request (secretariat only)."""
    if not roles.is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat sees the pipeline."))
    requested: Counter[str] = Counter()
    accepted: Counter[str] = Counter()
    declined: Counter[str] = Counter()
    meetings: Counter[str] = Counter()
    for intro in Introduction.objects.only("created_at", "status", "meeting_held_on"):
        year = str(timezone.localtime(intro.created_at).year)
        requested[year] += 1
        accepted[year] += intro.status == IntroductionStatus.ACCEPTED
        declined[year] += intro.status == IntroductionStatus.DECLINED
        meetings[year] += intro.meeting_held_on is not None
    return [
        PipelineRow(year, requested[year], accepted[year], declined[year], meetings[year])
        for year in sorted(requested)
    ]


def pipeline_indicators() -> list[dict[str, Any]]:
    """The indicator definitions the pipeline feeds (shipped data)."""
    data = yaml.safe_load(PIPELINE_INDICATORS.read_text(encoding="utf-8"))
    indicators: list[dict[str, Any]] = data["indicators"]
    return indicators


@transaction.atomic
def record_pipeline(user: Any, *, community_key: str) -> int:
    """Write the pipeline as observations of the matching indicators for the community's
    subject, one per year; re-running replaces the figures. Returns observations written."""
    from biocommunity.indicators.choices import SubjectKind, Unit, ValueKind
    from biocommunity.indicators.models import Indicator, Observation, Subject
    from biocommunity.registry.models import Community

    rows = pipeline(user)
    community = Community.objects.get(key=community_key)
    subject, _created = Subject.objects.get_or_create(
        key=community.key,
        defaults={
            "kind": SubjectKind.ECOSYSTEM,
            "name_ja": community.name_ja,
            "name_en": community.name_en,
            "country": "JP",
            "source": community.source,
        },
    )
    today = timezone.localdate().isoformat()
    written = 0
    for definition in pipeline_indicators():
        indicator, _created = Indicator.objects.update_or_create(
            code=definition["code"],
            defaults={
                "name_ja": definition["name_ja"],
                "name_en": definition["name_en"],
                "definition_ja": definition["definition_ja"],
                "definition_en": definition["definition_en"],
                "unit": Unit.COUNT,
                "factor_group": definition["factor_group"],
                "source": definition["source"],
            },
        )
        for row in rows:
            Observation.objects.update_or_create(
                indicator=indicator,
                subject=subject,
                period=row.period,
                defaults={
                    "value": getattr(row, definition["field"]),
                    "value_kind": ValueKind.EXACT,
                    "unit": Unit.COUNT,
                    "source": _("biocommunity matching pipeline, counted %(date)s")
                    % {"date": today},
                    "as_of": today,
                },
            )
            written += 1
    return written
