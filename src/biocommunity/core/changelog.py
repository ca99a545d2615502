"""Write change records; every service that changes data calls these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from biocommunity.core.models import ChangeAction, ChangeRecord


def _plain(value: Any) -> Any:
    """Make a field value JSON-friendly for the record."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of the given fields, for diffing after a change."""
    return {name: _plain(getattr(instance, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value differs, as field → [old, new]."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


def build_record(
    instance: models.Model,
    *,
    action: ChangeAction,
    changes: Mapping[str, list[Any]],
    user: Any = None,
    channel: str,
) -> ChangeRecord:
    """An unsaved record, so bulk operations can write many in one query."""
    return ChangeRecord(
        user=user if getattr(user, "is_authenticated", False) else None,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        action=action,
        channel=channel[:200],
        changes=dict(changes),
    )


def record_change(
    instance: models.Model,
    *,
    action: ChangeAction,
    changes: Mapping[str, list[Any]],
    user: Any = None,
    channel: str,
) -> ChangeRecord | None:
    """Write one record; an update that changed nothing writes none."""
    if action == ChangeAction.UPDATE and not changes:
        return None
    record = build_record(instance, action=action, changes=changes, user=user, channel=channel)
    record.save()
    return record


def history_for(instance: models.Model) -> models.QuerySet[ChangeRecord]:
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    return ChangeRecord.objects.filter(
        content_type=content_type, object_id=str(instance.pk)
    ).select_related("user")
