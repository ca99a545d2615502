"""A person's preferences, the notices they receive and the e-mails waiting to go out."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biocommunity.people.choices import (
    AccountRole,
    InvitationState,
    Language,
    NoticeKind,
    OutboxState,
)


class Person(models.Model):
    """What the platform knows of a user beyond Django's account: language, e-mail wishes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="person",
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.JA
    )
    email_muted_kinds = models.JSONField(
        _("notices not sent by e-mail"),
        default=list,
        blank=True,
        help_text=_("Kinds of notice shown in the platform only, never e-mailed."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return str(self.user)


class Notice(models.Model):
    """Something a person should know about, written in both languages when it happened."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NoticeKind.choices)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    text_ja = models.TextField(_("text (Japanese)"))
    text_en = models.TextField(_("text (English)"))
    path = models.CharField(
        _("link"),
        max_length=500,
        blank=True,
        help_text=_("Where the notice leads, without the language prefix (e.g. /matching/…)."),
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notice_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.kind}"


class OutboxEmail(models.Model):
    """An e-mail kept until the mail server has taken it, so a failing server loses nothing."""

    notice = models.ForeignKey(
        Notice,
        verbose_name=_("notice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
    )
    to = models.EmailField(_("to"))
    subject = models.CharField(_("e-mail subject"), max_length=300)
    body = models.TextField(_("body"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class Invitation(models.Model):
    """A link e-mailed to a new person so they set their own password.

    Only a hash of the token is kept (a database leak reveals no working link); the link
    expires and works once. Re-sending replaces it: the older link stops working.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("sent to"))
    role = models.CharField(_("role"), max_length=20, choices=AccountRole.choices)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(
        _("no longer valid since"),
        null=True,
        blank=True,
        help_text=_("Set when the invitation is re-sent or the account deactivated."),
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

    def state(self, now: datetime | None = None) -> InvitationState:
        """Accepted, no longer valid, expired or still waiting, in that order of precedence."""
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return InvitationState.EXPIRED
        return InvitationState.PENDING
