"""Kinds of notice and the languages a person can be written to in."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Language(models.TextChoices):
    JA = "ja", _("Japanese")
    EN = "en", _("English")


class NoticeKind(models.TextChoices):
    INTRODUCTION_REQUESTED = "introduction_requested", _("Introduction requested")
    INTRODUCTION_ACCEPTED = "introduction_accepted", _("Introduction accepted")
    INTRODUCTION_DECLINED = "introduction_declined", _("Introduction declined")
    INTRODUCTION_TO_FORWARD = "introduction_to_forward", _("Introduction to forward")
    SAVED_SEARCH_HIT = "saved_search_hit", _("New match for a saved search")
    ROUND_INVITATION = "round_invitation", _("Invitation to a certification round")
    ASSESSMENT_SUBMITTED = "assessment_submitted", _("Self-assessment submitted")
    REVIEW_ASSIGNED = "review_assigned", _("Review assigned")
    REVIEW_DONE = "review_done", _("Review done")
    CERTIFICATE_ISSUED = "certificate_issued", _("Certificate issued")
    CERTIFICATE_REVISED = "certificate_revised", _("Certificate revised")
    CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")
    ACCOUNT_INVITATION = "account_invitation", _("Account invitation")


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", pgettext_lazy("e-mail state", "Sent")
    FAILED = "failed", _("Gave up")


class AccountRole(models.TextChoices):
    """What a person does on the platform (one role per account)."""

    MEMBER = "member", pgettext_lazy("account role", "Member")
    REVIEWER = "reviewer", pgettext_lazy("account role", "Reviewer")
    SECRETARIAT = "secretariat", pgettext_lazy("account role", "Secretariat")


class InvitationState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("invitation state", "Waiting for the person")
    EXPIRED = "expired", pgettext_lazy("invitation state", "Expired")
    ACCEPTED = "accepted", pgettext_lazy("invitation state", "Accepted")
    REVOKED = "revoked", pgettext_lazy("invitation state", "No longer valid")
