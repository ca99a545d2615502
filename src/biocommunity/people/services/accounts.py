"""Accounts: a person's role, affiliation and whether they may sign in; the secretariat's tools.

A person holds one role: member (speaks for an organisation: its contact, edits its profile),
reviewer or secretariat. Reviewers and the secretariat may carry the organisation they work at
as an affiliation only (conflict-of-interest rules read it; it gives no member rights). Every
change a person makes here is written to the change log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from biocommunity.core import roles
from biocommunity.core.changelog import record_change
from biocommunity.core.models import ChangeAction
from biocommunity.people.choices import AccountRole, InvitationState, Language, NoticeKind
from biocommunity.people.models import Invitation, Person
from biocommunity.registry.models import Organization, OrganizationMember
from biocommunity.registry.services.permissions import require_secretariat

# Apps whose records the secretariat edits in the admin (Django permissions on its account).
SECRETARIAT_ADMIN_APPS = ("core", "people", "registry", "indicators", "assessment", "matching")
CHANNEL = "user management"


def role_of(user: Any) -> AccountRole | None:
    """The person's role: secretariat, reviewer, member (acting for an organisation) or none."""
    if user.is_superuser or user.groups.filter(name=roles.Role.SECRETARIAT.value).exists():
        return AccountRole.SECRETARIAT
    if user.groups.filter(name=roles.Role.REVIEWER.value).exists():
        return AccountRole.REVIEWER
    membership = OrganizationMember.objects.filter(user=user, acts_for=True).first()
    if membership is not None:
        return AccountRole.MEMBER
    return None


def organization_of(user: Any) -> Organization | None:
    """The organisation the person is recorded at (acting for it or only working there)."""
    membership = OrganizationMember.objects.filter(user=user).select_related("organization")
    found = membership.first()
    return found.organization if found is not None else None


def _forget_cached_roles(user: Any) -> None:
    if hasattr(user, "_biocommunity_roles"):
        del user._biocommunity_roles


def assign_role(user: Any, role: AccountRole, organization: Organization | None) -> None:
    """Give the user exactly this role and organisation (the user must be saved).

    A member must have an organisation and acts for it; for a reviewer or the secretariat the
    organisation, when given, is kept as an affiliation without member rights. The secretariat
    gets the staff flag and the admin permissions; other roles lose them.
    """
    if role == AccountRole.MEMBER and organization is None:
        raise ValidationError({"organization": _("A member must speak for an organisation.")})
    role_groups = [r.value for r in roles.Role]
    user.groups.remove(*Group.objects.filter(name__in=role_groups))
    admin_permissions = Permission.objects.filter(
        content_type__app_label__in=SECRETARIAT_ADMIN_APPS
    )
    if role == AccountRole.SECRETARIAT:
        roles.grant_role(user, roles.Role.SECRETARIAT)
        user.is_staff = True
        user.user_permissions.add(*admin_permissions)
    else:
        if role == AccountRole.REVIEWER:
            roles.grant_role(user, roles.Role.REVIEWER)
        if not user.is_superuser:
            user.is_staff = False
        user.user_permissions.remove(*admin_permissions)
    user.save(update_fields=["is_staff"])
    _forget_cached_roles(user)
    if organization is None:
        OrganizationMember.objects.filter(user=user).delete()
    else:
        OrganizationMember.objects.update_or_create(
            user=user,
            defaults={"organization": organization, "acts_for": role == AccountRole.MEMBER},
        )


def describe(user: Any) -> dict[str, Any]:
    """What the change log keeps of an account: role, organisation key, language, active."""
    role = role_of(user)
    organization = organization_of(user)
    return {
        "role": role.value if role else None,
        "organization": organization.key if organization else None,
        "language": Person.objects.filter(user=user).values_list("language", flat=True).first(),
        "is_active": user.is_active,
    }


def log_account_change(
    user: Any,
    before: dict[str, Any],
    *,
    actor: Any,
    channel: str = CHANNEL,
    extra: dict[str, list[Any]] | None = None,
) -> None:
    """One change record on the account: what differs from ``before`` plus ``extra``."""
    after = describe(user)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    changes.update(extra or {})
    action = ChangeAction.CREATE if not before else ChangeAction.UPDATE
    record_change(user, action=action, changes=changes, user=actor, channel=channel)


# Organisations by name ---------------------------------------------------------------------------


def organization_label(organization: Organization) -> str:
    """How an organisation is offered in a picker: both names, so either language finds it."""
    names = [n for n in (organization.name_ja, organization.name_en) if n]
    if len(names) == 2 and names[0] == names[1]:
        names = names[:1]
    return " / ".join(names) or organization.key


def organization_labels() -> list[str]:
    """Every organisation's picker label, in name order (for a datalist)."""
    rows = Organization.objects.only("key", "name_ja", "name_en")
    return sorted(organization_label(o) for o in rows)


def resolve_organization(text: str) -> Organization:
    """The one organisation a typed name means: its picker label, Japanese or English name.

    Raises ValidationError on the ``organization`` field when no organisation or several
    carry that name, saying which.
    """
    wanted = " ".join(text.split())
    if not wanted:
        raise ValidationError({"organization": _("Type the organisation's name.")})
    candidates = list(
        Organization.objects.filter(
            Q(name_ja__iexact=wanted)
            | Q(name_en__iexact=wanted)
            | Q(name_ja__iexact=wanted.split(" / ")[0])
        )
    )
    exact = [o for o in candidates if organization_label(o).casefold() == wanted.casefold()]
    found = exact or [
        o
        for o in candidates
        if wanted.casefold() in (o.name_ja.casefold(), (o.name_en or "").casefold())
    ]
    if not found:
        raise ValidationError(
            {"organization": _("No organisation is called “%(name)s”.") % {"name": wanted}}
        )
    if len(found) > 1:
        raise ValidationError(
            {
                "organization": _(
                    "Several organisations are called “%(name)s”: pick one from the list."
                )
                % {"name": wanted}
            }
        )
    return found[0]


# The secretariat's user list ---------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRow:
    """One line of the user list."""

    user: Any
    role: AccountRole | None
    organization: Organization | None
    acts_for: bool
    language: str
    invitation: Invitation | None
    invitation_state: InvitationState | None

    @property
    def status(self) -> str:
        """active, invited (waiting or expired) or deactivated."""
        if self.user.is_active:
            return "active"
        if self.invitation_state in (InvitationState.PENDING, InvitationState.EXPIRED):
            return "invited"
        return "deactivated"


def accounts(actor: Any, *, users: QuerySet[Any] | None = None) -> list[AccountRow]:
    """Every account with its role, organisation, language and latest invitation (secretariat)."""
    require_secretariat(actor)
    queryset = users if users is not None else get_user_model().objects.all()
    queryset = (
        queryset.select_related("person", "organization_membership__organization")
        .prefetch_related(
            "groups", Prefetch("invitations", queryset=Invitation.objects.order_by("-created"))
        )
        .order_by("username")
    )
    now = timezone.now()
    rows = []
    for user in queryset:
        group_names = {g.name for g in user.groups.all()}
        try:
            membership = user.organization_membership
        except OrganizationMember.DoesNotExist:
            membership = None
        role: AccountRole | None
        if user.is_superuser or roles.Role.SECRETARIAT.value in group_names:
            role = AccountRole.SECRETARIAT
        elif roles.Role.REVIEWER.value in group_names:
            role = AccountRole.REVIEWER
        elif membership is not None and membership.acts_for:
            role = AccountRole.MEMBER
        else:
            role = None
        invitations = list(user.invitations.all())
        latest = invitations[0] if invitations else None
        try:
            language = user.person.language
        except Person.DoesNotExist:
            language = Language.JA.value
        rows.append(
            AccountRow(
                user=user,
                role=role,
                organization=membership.organization if membership else None,
                acts_for=bool(membership and membership.acts_for),
                language=language,
                invitation=latest,
                invitation_state=latest.state(now) if latest else None,
            )
        )
    return rows


def filter_accounts(
    rows: list[AccountRow], *, text: str = "", role: str = "", status: str = ""
) -> list[AccountRow]:
    """The rows whose name, e-mail or organisation contains ``text`` and with that role/state."""
    needle = " ".join(text.split()).casefold()

    def matches(row: AccountRow) -> bool:
        if role and (row.role.value if row.role else "") != role:
            return False
        if status and row.status != status:
            return False
        if not needle:
            return True
        org = row.organization
        haystack = [row.user.username, row.user.email or ""]
        if org is not None:
            haystack += [org.name_ja or "", org.name_en or ""]
        return any(needle in value.casefold() for value in haystack)

    return [row for row in rows if matches(row)]


def organizations_without_contact(actor: Any) -> QuerySet[Organization]:
    """Organisations nobody answers for (no active member acting for them), by name."""
    require_secretariat(actor)
    answered = OrganizationMember.objects.filter(
        organization=OuterRef("pk"), acts_for=True, user__is_active=True
    )
    return Organization.objects.filter(~Exists(answered)).order_by("name_ja", "name_en")


# Changes by the secretariat ----------------------------------------------------------------------


@transaction.atomic
def change_role(
    actor: Any, user: Any, role: AccountRole, organization: Organization | None
) -> None:
    """Give a person another role (and organisation), in the change log."""
    require_secretariat(actor)
    if user.pk == actor.pk and role != AccountRole.SECRETARIAT:
        raise ValidationError(
            {"role": _("You cannot take the secretariat role from your own account.")}
        )
    before = describe(user)
    assign_role(user, AccountRole(role), organization)
    log_account_change(user, before, actor=actor)


@transaction.atomic
def deactivate(actor: Any, user: Any) -> None:
    """Stop a person signing in (and any invitation link they still hold), in the change log."""
    require_secretariat(actor)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if not user.is_active and not _open_invitations(user).exists():
        raise ValidationError(_("This account is already deactivated."))
    before = describe(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    revoked = _open_invitations(user).update(revoked_at=timezone.now())
    extra = {"invitation": ["pending", "revoked"]} if revoked else {}
    log_account_change(user, before, actor=actor, extra=extra)


@transaction.atomic
def reactivate(actor: Any, user: Any) -> None:
    """Let a deactivated person sign in again with their own password, in the change log."""
    require_secretariat(actor)
    if user.is_active:
        raise ValidationError(_("This account is already active."))
    if not user.has_usable_password():
        raise ValidationError(
            _("This person never set a password: re-send the invitation instead.")
        )
    before = describe(user)
    user.is_active = True
    user.save(update_fields=["is_active"])
    log_account_change(user, before, actor=actor)


def _open_invitations(user: Any) -> QuerySet[Invitation]:
    return Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True)


# The person's own account -------------------------------------------------------------------


@transaction.atomic
def update_preferences(user: Any, *, language: str, email_kinds: list[str]) -> Person:
    """Save the person's language and the notice kinds they want by e-mail (the rest muted)."""
    if language not in Language.values:
        raise ValidationError({"language": _("Choose Japanese or English.")})
    unknown = sorted(set(email_kinds) - set(NoticeKind.values))
    if unknown:
        raise ValidationError(
            {"email_kinds": _("Unknown kind of notice: %(kinds)s") % {"kinds": ", ".join(unknown)}}
        )
    person, _created = Person.objects.get_or_create(user=user)
    before = {"language": person.language, "email_muted_kinds": list(person.email_muted_kinds)}
    person.language = language
    person.email_muted_kinds = sorted(set(NoticeKind.values) - set(email_kinds))
    person.save(update_fields=["language", "email_muted_kinds"])
    user._biocommunity_person = person
    after = {"language": person.language, "email_muted_kinds": person.email_muted_kinds}
    changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
    record_change(
        person, action=ChangeAction.UPDATE, changes=changes, user=user, channel="account page"
    )
    return person
