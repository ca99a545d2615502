"""Who may do what in the registry: enforced here, whatever the channel (page, API, CLI)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from biocommunity.core import roles
from biocommunity.registry.models import Organization, OrganizationMember


def member_organization(user: Any) -> Organization | None:
    """The organisation a logged-in member speaks for, if any."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        membership = user.organization_membership
    except OrganizationMember.DoesNotExist:
        return None
    organization: Organization = membership.organization
    return organization


def can_edit_organization(user: Any, organization: Organization) -> bool:
    """The secretariat edits every profile; a member only its own organisation's."""
    if roles.is_secretariat(user):
        return True
    own = member_organization(user)
    return own is not None and own.pk == organization.pk


def require_edit_organization(user: Any, organization: Organization) -> None:
    if not can_edit_organization(user, organization):
        raise PermissionDenied(_("You may edit only your own organisation's profile."))


def can_view_history(user: Any, organization: Organization) -> bool:
    return can_edit_organization(user, organization)


def require_secretariat(user: Any) -> None:
    if not roles.is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may do this."))


def contacts_of(organization: Organization) -> list[Any]:
    """The active people who answer for an organisation (its members), oldest first.

    Empty when nobody at the organisation has an account: whoever writes to it then goes
    through the secretariat.
    """
    return [
        m.user
        for m in OrganizationMember.objects.filter(organization=organization, user__is_active=True)
        .select_related("user")
        .order_by("since", "pk")
    ]
