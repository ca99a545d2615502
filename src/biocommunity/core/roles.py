"""The platform's roles and how a user gets them.

Roles are Django groups so the secretariat can grant them in the admin. Membership of an
organisation (the "member" role) lives in the registry, which owns organisations.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, Group
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat")
    REVIEWER = "reviewer", _("Reviewer")


UserLike = Any  # an auth user or AnonymousUser


def has_role(user: UserLike, role: Role) -> bool:
    """True when the user is active and in the role's group (superusers hold every role)."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    cache = getattr(user, "_biocommunity_roles", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._biocommunity_roles = cache
    return role.value in cache


def is_secretariat(user: UserLike) -> bool:
    return has_role(user, Role.SECRETARIAT)


def is_reviewer(user: UserLike) -> bool:
    return has_role(user, Role.REVIEWER)


def grant_role(user: UserLike, role: Role) -> None:
    """Put the user in the role's group, creating the group on first use."""
    group, _created = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    if hasattr(user, "_biocommunity_roles"):
        del user._biocommunity_roles
