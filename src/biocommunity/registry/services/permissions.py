"""Who may do what in the registry: enforced here, whatever the channel (page, API, CLI)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from biocommunity.core import roles
from biocommunity.registry.models import Organization, OrganizationMember


def _membership(user: Any) -> OrganizationMember | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        membership: OrganizationMember = user.organization_membership
    except OrganizationMember.DoesNotExist:
        return None
    return membership


def member_organization(user: Any) -> Organization | None:
    """The organisation a logged-in member speaks for (acts for), if any.

    Working at an organisation is not enough: a reviewer or secretariat person affiliated with
    it gets no member rights over it (see :func:`affiliation`).
    """
    membership = _membership(user)
    if membership is None or not membership.acts_for:
        return None
    organization: Organization = membership.organization
    return organization


def affiliation(user: Any) -> Organization | None:
    """The organisation a logged-in user works at, whether or not they act for it.

    What conflict-of-interest rules look at: a reviewer never reviews their own employer.
    """
    membership = _membership(user)
    if membership is None:
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
    """The active people who answer for an organisation (members acting for it), oldest first.

    People merely affiliated with it (a reviewer working there) are not contacts. Empty when
    nobody answers for the organisation: whoever writes to it then goes through the
    secretariat.
    """
    return [
        m.user
        for m in OrganizationMember.objects.filter(
            organization=organization, acts_for=True, user__is_active=True
        )
        .select_related("user")
        .order_by("since", "pk")
    ]
