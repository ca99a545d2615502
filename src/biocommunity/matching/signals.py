"""Profile changes reach the search index and the saved searches, whatever made them
(pages, API, import, admin); a new contact of an organisation hears of the requests to it."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from biocommunity.matching.models import Profile
from biocommunity.matching.services import indexing, introductions, warmup
from biocommunity.registry.models import OrganizationMember

logger = logging.getLogger(__name__)


@receiver(post_save, sender=Profile, dispatch_uid="matching_profile_saved")
def profile_saved(sender: Any, instance: Profile, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    indexing.bump_generation()
    profile_id = instance.pk

    def announce() -> None:
        from biocommunity.matching.services.saved_searches import notify_for_profile

        # The profile is saved whatever happens to the e-mails: a mail server that is down
        # is logged, not shown to the person who saved it as an error.
        try:
            notify_for_profile(profile_id)
        except Exception:
            logger.exception("saved-search notices for profile %s failed", profile_id)

    # The new index, then the saved searches that may announce the profile: off the request
    # unless BIOCOMMUNITY_MATCHING_WARMUP says otherwise (services/warmup.py).
    transaction.on_commit(lambda: warmup.profile_saved(profile_id, then=announce))


@receiver(post_delete, sender=Profile, dispatch_uid="matching_profile_deleted")
def profile_deleted(sender: Any, instance: Profile, **kwargs: Any) -> None:
    indexing.bump_generation()


def _hand_over_after_commit(user_id: int) -> None:
    """Once someone answers for an organisation (made its contact, or their invited account
    activated), the open requests to it are theirs: tell them, after commit, never failing."""

    def hand_over() -> None:
        try:
            user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
            if user is not None:
                introductions.hand_over_waiting(user)
        except Exception:
            logger.exception("handing introductions over to user %s failed", user_id)

    transaction.on_commit(hand_over, robust=True)


@receiver(post_save, sender=OrganizationMember, dispatch_uid="matching_contact_added")
def contact_saved(
    sender: Any, instance: OrganizationMember, raw: bool = False, **kwargs: Any
) -> None:
    if not raw and instance.acts_for:
        _hand_over_after_commit(instance.user_id)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="matching_user_activated")
def user_saved(
    sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    # Only a save that may have switched the account on (not, say, a log-in's last_login).
    if raw or not instance.is_active or (update_fields and "is_active" not in update_fields):
        return
    _hand_over_after_commit(instance.pk)
