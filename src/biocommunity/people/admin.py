"""People in the admin: each person's language and e-mail wishes can be corrected here; notices
and the outbox are records of what was sent, so they are shown, never edited."""

from __future__ import annotations

from django.contrib import admin

from biocommunity.core.admin import ChangeLoggedAdmin, ReadOnlyAdmin
from biocommunity.people import models


@admin.register(models.Person)
class PersonAdmin(ChangeLoggedAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]


@admin.register(models.Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["created", "recipient", "kind", "read_at", "text_en"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "text_ja", "text_en"]


@admin.register(models.OutboxEmail)
class OutboxEmailAdmin(ReadOnlyAdmin):
    list_display = ["created", "to", "subject", "state", "attempts", "sent_at"]
    list_filter = ["state"]
    search_fields = ["to", "subject"]


@admin.register(models.Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations are sent, re-sent and revoked from the users page, which keeps their history;
    the token is never shown (only its hash is stored)."""

    list_display = ["created", "email", "role", "invited_by", "expires_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email"]
    exclude = ["token_hash"]
