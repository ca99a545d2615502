"""Make shipped data true in the database without duplicating or deleting anything else."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models


def _same(stored: Any, wanted: Any) -> bool:
    if isinstance(stored, Decimal) or isinstance(wanted, Decimal):
        if stored is None or wanted is None:
            return stored is wanted
        return Decimal(stored) == Decimal(wanted)
    return bool(stored == wanted)


def sync_by_natural_key(
    model: type[models.Model], natural_key: tuple[str, ...], rows: list[dict[str, Any]]
) -> dict[str, int]:
    """Create missing rows and update changed fields, matching on ``natural_key``.

    Records the data does not name are left alone (the secretariat may have added them), so
    loading the same data twice changes nothing. Saves one by one so model signals fire.
    """
    manager = model._default_manager
    existing = {tuple(getattr(obj, f) for f in natural_key): obj for obj in manager.all()}
    created = updated = unchanged = 0
    for values in rows:
        key = tuple(values[f] for f in natural_key)
        obj = existing.get(key)
        if obj is None:
            obj = model(**values)
            obj.save()
            existing[key] = obj
            created += 1
            continue
        changed = [f for f, v in values.items() if not _same(getattr(obj, f), v)]
        if changed:
            for f in changed:
                setattr(obj, f, values[f])
            obj.save(update_fields=changed)
            updated += 1
        else:
            unchanged += 1
    return {"created": created, "updated": updated, "unchanged": unchanged}
