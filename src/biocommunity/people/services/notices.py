"""Notices: written in both languages when something happens, e-mailed in the reader's.

A notice and its e-mail are saved in the caller's transaction; the e-mail is handed to the mail
server only after commit, outside the request (a job for ``biocommunity worker``, or the
``notices deliver`` command), so sending never slows or breaks the action that caused it and a
failing server loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from biocommunity.core import roles
from biocommunity.people.choices import NoticeKind, OutboxState
from biocommunity.people.models import Notice, OutboxEmail
from biocommunity.people.services.persons import language_of, wants_email

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LANGUAGES = ("ja", "en")


@dataclass(frozen=True)
class Bilingual:
    """A value with a Japanese and an English form (an organisation's name, a title)."""

    ja: str
    en: str

    def __str__(self) -> str:
        language = translation.get_language() or "ja"
        if language.startswith("en"):
            return self.en or self.ja
        return self.ja or self.en


def _render(text: Any, params: Mapping[str, Any], language: str) -> str:
    with translation.override(language):
        template = str(text)
        values = {k: str(v) for k, v in params.items()}
        return template % values if values else template


def _localised_path(path: str, language: str) -> str:
    return f"/{language}{path}" if path.startswith("/") else path


def absolute_url(path: str, language: str) -> str:
    """The address a notice's link has in an e-mail (site URL + language prefix + path)."""
    return settings.BIOCOMMUNITY_SITE_URL.rstrip("/") + _localised_path(path, language)


def notify(
    recipients: Iterable[Any],
    kind: NoticeKind,
    text: Any,
    *,
    params: Mapping[str, Any] | None = None,
    path: str = "",
    subject: Any = None,
) -> list[Notice]:
    """Leave a notice for each active recipient and queue its e-mail in their language.

    ``text`` and ``subject`` are lazy translatable strings with named placeholders; ``params``
    values may be :class:`Bilingual`. ``path`` is a page's path without the language prefix
    (``reverse()`` under any language, then strip it with :func:`strip_language`).
    """
    params = params or {}
    notices: list[Notice] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        notice = Notice.objects.create(
            recipient=user,
            kind=kind,
            text_ja=_render(text, params, "ja"),
            text_en=_render(text, params, "en"),
            path=path,
        )
        notices.append(notice)
        if user.email and wants_email(user, kind):
            language = language_of(user)
            body_text = notice.text_ja if language == "ja" else notice.text_en
            with translation.override(language):
                title = _render(subject or NoticeKind(kind).label, params, language)
                link = absolute_url(path, language) if path else ""
                footer = _(
                    "You receive this e-mail because of your account on %(site)s. "
                    "Choose which notices come by e-mail on your account page: %(account)s"
                ) % {
                    "site": settings.BIOCOMMUNITY_SITE_URL,
                    "account": absolute_url("/accounts/me/", language),
                }
            body = "\n\n".join(part for part in (body_text, link, footer) if part)
            queue_email(user.email, f"[biocommunity] {title}", body, notice=notice)
    return notices


def queue_email(to: str, subject: str, body: str, *, notice: Notice | None = None) -> OutboxEmail:
    """Keep an e-mail in the outbox and have it sent once the transaction commits."""
    email = OutboxEmail.objects.create(to=to, subject=subject[:300], body=body, notice=notice)
    # robust: whatever goes wrong handing it over, the request that caused it has succeeded
    # and the e-mail waits in the outbox for the next `notices deliver`.
    transaction.on_commit(lambda: deliver_soon([email.pk]), robust=True)
    return email


def deliver_soon(ids: list[int]) -> None:
    """Send these e-mails outside the request (or at once, as the setting says); called after
    commit, so the job queue only ever sees e-mails that exist."""
    mode = getattr(settings, "BIOCOMMUNITY_EMAIL_DELIVERY", "queue")
    if mode == "inline":
        deliver(ids)
    elif mode == "queue":
        deliver_emails.enqueue(ids)
    # "outbox": left for `biocommunity notices deliver` (cron)


@task()
def deliver_emails(ids: list[int]) -> list[int]:
    """The job that sends these outbox e-mails; returns [sent, failed]. A mail server that
    fails is recorded on the e-mail (the outbox retries it with its own backoff), so the job
    fails only on something unexpected, and the job queue retries that."""
    sent, failed = deliver(ids)
    return [sent, failed]


def due_emails(now: Any = None) -> QuerySet[OutboxEmail]:
    """E-mails waiting whose next attempt is due."""
    now = now or timezone.now()
    return OutboxEmail.objects.filter(state=OutboxState.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def deliver(ids: list[int] | None = None, *, now: Any = None) -> tuple[int, int]:
    """Try to send due e-mails (only ``ids`` when given); returns (sent, failed this time).

    A failure is kept with the error and tried again later, waiting twice as long each time
    (1, 2, 4 … minutes); after MAX_ATTEMPTS the e-mail is marked as given up.
    """
    now = now or timezone.now()
    queryset = due_emails(now)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    sent = failed = 0
    for email in list(queryset):
        try:
            send_mail(email.subject, email.body, None, [email.to])
        except Exception as exc:  # any transport error: keep it for a later try
            email.attempts += 1
            email.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if email.attempts >= MAX_ATTEMPTS:
                email.state = OutboxState.FAILED
            else:
                email.next_attempt_at = now + timedelta(minutes=2 ** (email.attempts - 1))
            email.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
            logger.warning("e-mail %s to %s not sent: %s", email.pk, email.to, exc)
            failed += 1
        else:
            email.attempts += 1
            email.state = OutboxState.SENT
            email.sent_at = timezone.now()
            email.save(update_fields=["attempts", "state", "sent_at"])
            sent += 1
    return sent, failed


def strip_language(path: str) -> str:
    """/ja/matching/3/ → /matching/3/ (a notice's link is stored without the language)."""
    for language in LANGUAGES:
        prefix = f"/{language}/"
        if path.startswith(prefix):
            return path[len(prefix) - 1 :]
    return path


def notice_text(notice: Notice, language: str) -> str:
    return notice.text_en if language.startswith("en") else notice.text_ja


def notice_url(notice: Notice, language: str) -> str:
    return _localised_path(notice.path, language) if notice.path else ""


def notices_for(user: Any) -> QuerySet[Notice]:
    """The user's own notices, newest first (nobody sees another person's)."""
    if user is None or not user.is_authenticated:
        return Notice.objects.none()
    return Notice.objects.filter(recipient=user)


def unread_count(user: Any) -> int:
    return notices_for(user).filter(read_at__isnull=True).count()


def has_notice(user: Any, kind: str, path: str) -> bool:
    """Whether the user was already told this (same kind, same page): to tell them once."""
    return notices_for(user).filter(kind=kind, path=path).exists()


@dataclass(frozen=True)
class NoticePage:
    """A slice of a user's notices with the totals a list needs to page and badge."""

    notices: list[Notice]
    total: int
    unread: int
    limit: int
    offset: int


MAX_PAGE = 100


def page_of_notices(user: Any, *, limit: int = 20, offset: int = 0) -> NoticePage:
    """The user's notices from ``offset``, at most ``limit`` (1–100), newest first."""
    limit = max(1, min(limit, MAX_PAGE))
    offset = max(0, offset)
    queryset = notices_for(user)
    return NoticePage(
        notices=list(queryset[offset : offset + limit]),
        total=queryset.count(),
        unread=unread_count(user),
        limit=limit,
        offset=offset,
    )


def get_notice(user: Any, pk: int) -> Notice:
    """One of the user's own notices (Notice.DoesNotExist for anyone else's)."""
    return notices_for(user).get(pk=pk)


def open_notice(user: Any, pk: int) -> Notice:
    """The user's notice, marked read: its reader is on the way to the page it leads to."""
    notice = get_notice(user, pk)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


def role_users(role: roles.Role) -> list[Any]:
    """Active users holding a role (its group's members and superusers): a notice's readers."""
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name=role.value) | Q(is_superuser=True))
        .distinct()
        .order_by("pk")
    )


def secretariat_users() -> list[Any]:
    return role_users(roles.Role.SECRETARIAT)


def reviewer_users() -> list[Any]:
    return role_users(roles.Role.REVIEWER)


def mark_read(user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them when ``ids`` is None); returns how many."""
    queryset = notices_for(user).filter(read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


Recipients = Callable[[], Iterable[Any]]
