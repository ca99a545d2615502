from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from biocommunity.core.changelog import record_change, snapshot
from biocommunity.core.models import ChangeAction, ChangeRecord


class ChangeLoggedAdmin(admin.ModelAdmin):
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
class ChangeRecordAdmin(admin.ModelAdmin):
    list_display = ["time", "user", "action", "object_repr", "channel"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "channel"]
    readonly_fields = [f.name for f in ChangeRecord._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
