"""Loose side effects of registry writes: the directory's cached facet counts go stale, and
an organisation's search text follows its kinds, hub functions and programmes."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from biocommunity.registry import models
from biocommunity.registry.services.directory import mark_stale
from biocommunity.registry.services.organizations import (
    refresh_search_texts,
    search_texts_are_deferred,
)

WATCHED = [
    models.Organization,
    models.Classification,
    models.Hub,
    models.HubMembership,
    models.MarketDomain,
    models.OrganizationMarketDomain,
]
# Links whose labels are part of the organisation's search text (one save at a time, e.g.
# the admin or the dataset loader; bulk imports refresh the text themselves).
DESCRIBING_LINKS = [models.Classification, models.HubMembership, models.ProgrammeEntry]


def _stale(sender: Any, **kwargs: Any) -> None:
    mark_stale()


def _link_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not search_texts_are_deferred():
        refresh_search_texts([instance.organization_id])


def _programme_changed(sender: Any, instance: models.Programme, **kwargs: Any) -> None:
    if instance.pk is not None and not search_texts_are_deferred():
        refresh_search_texts(instance.entries.values_list("organization_id", flat=True))


def connect() -> None:
    for model in WATCHED:
        post_save.connect(
            _stale, sender=model, dispatch_uid=f"directory-stale-save-{model.__name__}"
        )
        post_delete.connect(
            _stale, sender=model, dispatch_uid=f"directory-stale-del-{model.__name__}"
        )
    for model in DESCRIBING_LINKS:
        post_save.connect(
            _link_changed, sender=model, dispatch_uid=f"search-text-save-{model.__name__}"
        )
        post_delete.connect(
            _link_changed, sender=model, dispatch_uid=f"search-text-del-{model.__name__}"
        )
    post_save.connect(_programme_changed, sender=models.Programme, dispatch_uid="search-text-prog")
