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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from biocommunity.core import roles
from biocommunity.matching.choices import IntroductionStatus
from biocommunity.matching.models import Introduction, IntroductionForwarding, Profile
from biocommunity.matching.services import visibility
from biocommunity.people.choices import NoticeKind
from biocommunity.people.services.notices import (
    Bilingual,
    has_notice,
    notify,
    secretariat_users,
    strip_language,
)
from biocommunity.registry.models import Organization
from biocommunity.registry.services.permissions import contacts_of, member_organization

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
            introduction = Introduction.objects.create(
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
    _announce_request(introduction)
    return introduction


def _name(organization: Organization) -> Bilingual:
    return Bilingual(organization.name_ja, organization.name_en)


def _title(profile: Profile) -> Bilingual:
    return Bilingual(profile.title_ja, profile.title_en)


def _introductions_path(introduction: Introduction) -> str:
    return strip_language(reverse("matching:introductions")) + f"#intro-{introduction.pk}"


def _params(introduction: Introduction) -> dict[str, Bilingual]:
    return {
        "requester": _name(introduction.requester_organization),
        "organization": _name(introduction.profile.organization),
        "profile": _title(introduction.profile),
    }


def _tell_contacts(introduction: Introduction, contacts: list[Any]) -> None:
    notify(
        contacts,
        NoticeKind.INTRODUCTION_REQUESTED,
        gettext_lazy(
            "%(requester)s asks to be introduced to your organisation about “%(profile)s”. "
            "Accept or decline on your introductions page."
        ),
        params=_params(introduction),
        path=_introductions_path(introduction),
        subject=gettext_lazy("Introduction requested by %(requester)s"),
    )


def _announce_request(introduction: Introduction) -> None:
    """Tell the profile's organisation; with nobody there on the platform, the secretariat,
    who forwards it (the request waits in their queue until the organisation has a contact)."""
    params = _params(introduction)
    contacts = contacts_of(introduction.profile.organization)
    if contacts:
        _tell_contacts(introduction, contacts)
        return
    notify(
        secretariat_users(),
        NoticeKind.INTRODUCTION_TO_FORWARD,
        gettext_lazy(
            "%(requester)s asks to be introduced to %(organization)s about “%(profile)s”, "
            "which has nobody on the platform: please forward the request."
        ),
        params=params,
        path=strip_language(reverse("matching:forwarding")) + f"#intro-{introduction.pk}",
        subject=gettext_lazy("Introduction to forward to %(organization)s"),
    )


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
    _announce_answer(introduction)
    return introduction


def _announce_answer(introduction: Introduction) -> None:
    """Tell the person who asked; an acceptance says where the contacts now are."""
    accepted = introduction.status == IntroductionStatus.ACCEPTED
    notify(
        [introduction.requester],
        NoticeKind.INTRODUCTION_ACCEPTED if accepted else NoticeKind.INTRODUCTION_DECLINED,
        gettext_lazy(
            "%(organization)s accepted your request for an introduction about “%(profile)s”. "
            "Both sides' contacts are on your introductions page."
        )
        if accepted
        else gettext_lazy(
            "%(organization)s declined your request for an introduction about “%(profile)s”."
        ),
        params={
            "organization": _name(introduction.profile.organization),
            "profile": _title(introduction.profile),
        },
        path=_introductions_path(introduction),
        subject=gettext_lazy("Introduction accepted by %(organization)s")
        if accepted
        else gettext_lazy("Introduction declined by %(organization)s"),
    )


# ---------------------------------------------------------------- forwarding


def hand_over_waiting(user: Any) -> int:
    """Tell someone who now answers for an organisation of the open requests addressed to it
    (those that waited in the secretariat's queue among them), each once; returns how many."""
    own = member_organization(user)
    if own is None:
        return 0
    told = 0
    for introduction in Introduction.objects.filter(
        status=IntroductionStatus.REQUESTED, profile__organization=own
    ).select_related("profile__organization", "requester_organization"):
        if has_notice(user, NoticeKind.INTRODUCTION_REQUESTED, _introductions_path(introduction)):
            continue
        _tell_contacts(introduction, [user])
        told += 1
    return told


def awaits_forwarding(introduction: Introduction) -> bool:
    """An open request to an organisation nobody answers for on the platform.

    It is the secretariat's to pass on until the organisation has a contact; from then on
    the request is that contact's to answer, as any other.
    """
    return introduction.status == IntroductionStatus.REQUESTED and not contacts_of(
        introduction.profile.organization
    )


def forwarding_queue(user: Any) -> list[Introduction]:
    """Open requests waiting for the secretariat to forward them, oldest first."""
    if not roles.is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat forwards introductions."))
    waiting = (
        Introduction.objects.filter(status=IntroductionStatus.REQUESTED)
        .select_related("profile__organization", "requester", "requester_organization")
        .prefetch_related("forwardings__forwarded_by")
        .order_by("created_at", "pk")
    )
    answered_for: dict[int, bool] = {}
    queue = []
    for introduction in waiting:
        organization = introduction.profile.organization
        if organization.pk not in answered_for:
            answered_for[organization.pk] = bool(contacts_of(organization))
        if not answered_for[organization.pk]:
            queue.append(introduction)
    return queue


@transaction.atomic
def record_forwarding(user: Any, introduction: Introduction, note: str) -> IntroductionForwarding:
    """The secretariat notes that (and how) it passed the request on; kept in its history."""
    if not roles.is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat forwards introductions."))
    introduction = Introduction.objects.select_for_update().get(pk=introduction.pk)
    if introduction.status != IntroductionStatus.REQUESTED:
        raise ValidationError({"status": [_("Only an open request can be forwarded.")]})
    if not awaits_forwarding(introduction):
        raise ValidationError(
            {
                "status": [
                    _("The organisation has a contact on the platform now: it answers itself.")
                ]
            }
        )
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say how and to whom the request was forwarded.")]})
    if len(note) > MAX_MESSAGE_CHARS:
        raise ValidationError(
            {"note": [_("At most %(limit)s characters.") % {"limit": MAX_MESSAGE_CHARS}]}
        )
    return IntroductionForwarding.objects.create(
        introduction=introduction, forwarded_by=user, note=note
    )


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
