"""Who sees which profile: the one rule every path (search, API, pages, exports, counts,
explanations, notifications) goes through, so none can leak what another hides."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from biocommunity.core import roles
from biocommunity.matching.choices import ProfileStatus, Visibility
from biocommunity.matching.models import Profile
from biocommunity.registry.services.permissions import member_organization


def live_q() -> Q:
    """Active and not past its expiry date."""
    today = timezone.localdate()
    return Q(status=ProfileStatus.ACTIVE) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))


def visible_q(user: Any) -> Q:
    """Profiles this user may see at all: anonymous users see live public profiles; members
    also live members-only ones and every profile of their own organisation; the secretariat
    sees everything."""
    if roles.is_secretariat(user):
        return Q()
    audiences = [Visibility.PUBLIC]
    own = member_organization(user)
    if own is not None:
        audiences.append(Visibility.MEMBERS)
    condition = live_q() & Q(visibility__in=audiences)
    if own is not None:
        condition |= Q(organization=own)
    return condition


def visible_profiles(user: Any) -> QuerySet[Profile]:
    return Profile.objects.filter(visible_q(user))


def can_see(user: Any, profile: Profile) -> bool:
    return visible_profiles(user).filter(pk=profile.pk).exists()


def get_visible(user: Any, pk: int) -> Profile:
    """The profile, or Profile.DoesNotExist: a hidden profile looks exactly like a missing one."""
    return visible_profiles(user).select_related("organization", "market_domain", "hub").get(pk=pk)


def can_edit(user: Any, profile: Profile) -> bool:
    """The secretariat curates every profile; a member edits only its own organisation's."""
    if roles.is_secretariat(user):
        return True
    own = member_organization(user)
    return own is not None and own.pk == profile.organization_id


def require_edit(user: Any, profile: Profile) -> None:
    if not can_edit(user, profile):
        raise PermissionDenied(_("You may edit only your own organisation's profiles."))


def is_owner(user: Any, profile: Profile) -> bool:
    own = member_organization(user)
    return own is not None and own.pk == profile.organization_id
