"""Loose side effect of registry writes: the directory's cached facet counts go stale."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from biocommunity.registry import models
from biocommunity.registry.services.directory import mark_stale

WATCHED = [
    models.Organization,
    models.Classification,
    models.Hub,
    models.HubMembership,
    models.MarketDomain,
    models.OrganizationMarketDomain,
]


def _stale(sender: Any, **kwargs: Any) -> None:
    mark_stale()


def connect() -> None:
    for model in WATCHED:
        post_save.connect(
            _stale, sender=model, dispatch_uid=f"directory-stale-save-{model.__name__}"
        )
        post_delete.connect(
            _stale, sender=model, dispatch_uid=f"directory-stale-del-{model.__name__}"
        )
