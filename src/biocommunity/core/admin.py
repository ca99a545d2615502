from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.db import models
from django.http import HttpRequest

from biocommunity.core import roles
from biocommunity.core.changelog import record_change, snapshot
from biocommunity.core.models import ChangeAction, ChangeRecord


class _RoleAware(BaseModelAdmin):
    """The secretariat role may view and edit here, whatever per-model permissions it holds.

    Without this, a secretariat saw only the apps whose permissions its account happened to be
    given when it was created (registry and core), not indicators, certification, matching or
    people.
    """

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return roles.is_secretariat(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return roles.is_secretariat(request.user) or super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return roles.is_secretariat(request.user) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return roles.is_secretariat(request.user) or super().has_delete_permission(request, obj)


class RoleAwareAdmin(_RoleAware, admin.ModelAdmin):
    """A model admin the secretariat role may use."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return roles.is_secretariat(request.user) or super().has_module_permission(request)


class RoleAwareTabularInline(_RoleAware, admin.TabularInline):
    """An inline the secretariat role may use (inlines check permissions on their own)."""


class ReadOnlyAdmin(RoleAwareAdmin):
    """Shown to the secretariat, never changed here: a change would bypass its workflow
    (certificates, audit entries, notices, e-mails) and the checks and records it makes."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ChangeLoggedAdmin(RoleAwareAdmin):
    """Admin whose saves and deletions land in the same history as every other channel."""

    def _fields(self, obj: models.Model) -> list[str]:
        return [
            f.attname
            for f in obj._meta.concrete_fields
            if f.name not in {"id", "search_text", "updated_at"}
        ]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = self._fields(obj)
        before = snapshot(type(obj).objects.get(pk=obj.pk), fields) if change and obj.pk else {}
        refresh = getattr(self, "before_save", None)
        if refresh:
            refresh(obj)
        super().save_model(request, obj, form, change)
        after = snapshot(obj, fields)
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        record_change(
            obj,
            action=ChangeAction.UPDATE if change else ChangeAction.CREATE,
            changes=changes,
            user=request.user,
            channel="admin",
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_change(
            obj, action=ChangeAction.DELETE, changes={}, user=request.user, channel="admin"
        )
        super().delete_model(request, obj)


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ["time", "user", "action", "object_repr", "channel"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "channel"]
    readonly_fields = [f.name for f in ChangeRecord._meta.fields]
