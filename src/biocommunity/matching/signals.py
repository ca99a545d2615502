"""Profile changes reach the search index and the saved searches, whatever made them
(pages, API, import, admin)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from biocommunity.matching.models import Profile
from biocommunity.matching.services import indexing, warmup

logger = logging.getLogger(__name__)


@receiver(post_save, sender=Profile, dispatch_uid="matching_profile_saved")
def profile_saved(sender: Any, instance: Profile, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    indexing.bump_generation()
    profile_id = instance.pk
    # First, so that the saved searches below find the new index being built, not build it twice.
    transaction.on_commit(lambda: warmup.profile_saved(profile_id), robust=True)

    def announce() -> None:
        from biocommunity.matching.services.saved_searches import notify_for_profile

        # The profile is saved whatever happens to the e-mails: a mail server that is down
        # is logged, not shown to the person who saved it as an error.
        try:
            notify_for_profile(profile_id)
        except Exception:
            logger.exception("saved-search notices for profile %s failed", profile_id)

    transaction.on_commit(announce)


@receiver(post_delete, sender=Profile, dispatch_uid="matching_profile_deleted")
def profile_deleted(sender: Any, instance: Profile, **kwargs: Any) -> None:
    indexing.bump_generation()
