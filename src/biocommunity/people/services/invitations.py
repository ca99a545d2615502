"""Invitations: the secretariat brings a person in by e-mail; they set their own password.

The account is made at once (inactive, no password) so the secretariat sees it in the user
list; the invitee gets a link, written in both languages (theirs first), that works once and
until it expires. Only a hash of the token is stored. Re-sending replaces the link.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from biocommunity.core.templatetags.bilingual import pick
from biocommunity.people.choices import AccountRole, InvitationState, Language, NoticeKind
from biocommunity.people.models import Invitation, Person
from biocommunity.people.services.accounts import (
    assign_role,
    describe,
    log_account_change,
    organization_of,
    role_of,
)
from biocommunity.people.services.notices import (
    absolute_url,
    notify,
    queue_email,
    strip_language,
)
from biocommunity.registry.models import Organization
from biocommunity.registry.services.permissions import require_secretariat

# Told to the secretariat person who sent the invitation, once it is accepted.
ACCEPTED_TEXT = gettext_lazy("%(email)s accepted your invitation and set up their account.")
ACCEPTED_SUBJECT = gettext_lazy("Invitation accepted: %(email)s")


def hash_token(token: str) -> str:
    """What is stored of a token: its SHA-256 (a token has 256 random bits, no salt needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_path(token: str) -> str:
    """The invitation page's path without the language prefix."""
    with translation.override("ja"):
        return strip_language(reverse("people:invitation", kwargs={"token": token}))


def _expiry() -> Any:
    return timezone.now() + timedelta(days=settings.BIOCOMMUNITY_INVITATION_DAYS)


def _new_invitation(user: Any, role: AccountRole, actor: Any) -> tuple[Invitation, str]:
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        email=user.email,
        role=role,
        token_hash=hash_token(token),
        expires_at=_expiry(),
        invited_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return invitation, token


def _email_part(invitation: Invitation, token: str, language: str) -> tuple[str, str]:
    """Subject and body of the invitation in one language."""
    organization = organization_of(invitation.user)
    with translation.override(language):
        role = str(AccountRole(invitation.role).label)
        expires = formats.date_format(timezone.localtime(invitation.expires_at), "Y-m-d H:i T")
        if organization is not None:
            invited_as = _("You are invited to biocommunity as %(role)s for %(organization)s.") % {
                "role": role,
                "organization": pick(organization, "name", language),
            }
        else:
            invited_as = _("You are invited to biocommunity as %(role)s.") % {"role": role}
        lines = [
            invited_as,
            _("Set your password here to open your account:"),
            absolute_url(invitation_path(token), language),
            _(
                "The link works once, until %(expires)s. After that, ask the secretariat to "
                "send a new one."
            )
            % {"expires": expires},
            _("Your sign-in name is your e-mail address: %(email)s") % {"email": invitation.email},
            _("If you did not expect this e-mail, you can ignore it."),
        ]
        return _("Invitation to biocommunity"), "\n\n".join(lines)


def send_invitation_email(invitation: Invitation, token: str) -> None:
    """Queue the bilingual e-mail: the invitee's language first, then the other."""
    chosen = Person.objects.filter(user=invitation.user).values_list("language", flat=True)
    first = chosen.first() or Language.JA.value
    order = [first] + [code for code in Language.values if code != first]
    parts = [_email_part(invitation, token, code) for code in order]
    subject = "[biocommunity] " + " / ".join(subject for subject, _body in parts)
    body = "\n\n----------------------------------------\n\n".join(body for _s, body in parts)
    queue_email(invitation.email, subject, body)


@transaction.atomic
def invite(
    actor: Any,
    *,
    email: str,
    role: AccountRole | str,
    organization: Organization | None,
    language: str,
) -> tuple[Invitation, str]:
    """Make an inactive account for this address with its role, and e-mail the invitation.

    Only the secretariat invites. The sign-in name is the e-mail address. Returns the
    invitation and its token (the token is e-mailed; it is never stored).
    """
    require_secretariat(actor)
    address = email.strip().lower()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from exc
    user_model = get_user_model()
    if user_model.objects.filter(email__iexact=address).exists() or (
        user_model.objects.filter(username__iexact=address).exists()
    ):
        raise ValidationError(
            {
                "email": _(
                    "An account with this e-mail address already exists: find it in the user "
                    "list (re-send its invitation or change its role there)."
                )
            }
        )
    if role not in AccountRole.values:
        raise ValidationError({"role": _("Choose member, reviewer or secretariat.")})
    if language not in Language.values:
        raise ValidationError({"language": _("Choose Japanese or English.")})
    role = AccountRole(role)
    user = user_model(username=address[:150], email=address, is_active=False)
    user.set_unusable_password()
    user.save()
    assign_role(user, role, organization)
    Person.objects.update_or_create(user=user, defaults={"language": language})
    invitation, token = _new_invitation(user, role, actor)
    log_account_change(
        user,
        {},
        actor=actor,
        extra={"invitation": [None, "sent"], "email": [None, address]},
    )
    send_invitation_email(invitation, token)
    return invitation, token


@transaction.atomic
def resend(actor: Any, user: Any) -> tuple[Invitation, str]:
    """A new link for a person who has not set their password yet; the older link stops working."""
    require_secretariat(actor)
    if (
        user.has_usable_password()
        or Invitation.objects.filter(user=user, accepted_at__isnull=False).exists()
    ):
        raise ValidationError(
            _("This person already set a password; they can reset it from the log-in page.")
        )
    if not user.email:
        raise ValidationError(_("This account has no e-mail address to send the invitation to."))
    previous = Invitation.objects.filter(user=user).order_by("-created").first()
    before = describe(user)
    now = timezone.now()
    Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    role = role_of(user) or AccountRole(previous.role if previous else AccountRole.MEMBER)
    invitation, token = _new_invitation(user, role, actor)
    old_state = previous.state(now).value if previous else None
    log_account_change(
        user,
        before,
        actor=actor,
        extra={
            "invitation": [old_state, "re-sent"],
            "invitation_expires": [
                previous.expires_at.isoformat() if previous else None,
                invitation.expires_at.isoformat(),
            ],
        },
    )
    send_invitation_email(invitation, token)
    return invitation, token


@dataclass(frozen=True)
class Lookup:
    """What a link leads to: the invitation (if any) and its state ("unknown" when none)."""

    invitation: Invitation | None
    state: str


def lookup(token: str) -> Lookup:
    """The invitation behind a link, and whether it can still be used."""
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    )
    if invitation is None:
        return Lookup(None, "unknown")
    return Lookup(invitation, invitation.state().value)


@transaction.atomic
def accept(token: str, password: str) -> Any:
    """Set the invitee's password and open their account; the link is used up.

    Raises ValidationError (field ``password``) for a weak password and (no field) for a link
    that is unknown, expired, used or replaced; nothing changes then.
    """
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None or invitation.state() != InvitationState.PENDING:
        raise ValidationError(_("This invitation link can no longer be used."))
    user = invitation.user
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    before = describe(user)
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    accepted = {"invitation": ["pending", "accepted"]}
    log_account_change(user, before, actor=user, channel="invitation", extra=accepted)
    if invitation.invited_by is not None:
        with translation.override("ja"):
            path = strip_language(reverse("people:user", kwargs={"pk": user.pk}))
        notify(
            [invitation.invited_by],
            NoticeKind.ACCOUNT_INVITATION,
            ACCEPTED_TEXT,
            params={"email": invitation.email},
            path=path,
            subject=ACCEPTED_SUBJECT,
        )
    return user
