"""Saved searches: a user gets a notice (and an e-mail) when a new profile would appear in
their results, once per profile."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from biocommunity.matching.models import Profile, SavedSearch, SavedSearchNotice
from biocommunity.matching.services import search as search_service
from biocommunity.matching.services import visibility
from biocommunity.people.choices import NoticeKind
from biocommunity.people.services.notices import Bilingual, notify, strip_language
from biocommunity.registry.models import MarketDomain

MAX_SAVED_SEARCHES = 20
# A new profile is announced when it ranks this high for the saved query.
NOTIFY_WITHIN = 10


def save_search(
    user: Any, query: str, *, kinds: list[str] | None = None, domain: str = ""
) -> SavedSearch:
    if not getattr(user, "is_authenticated", False):
        raise ValidationError({"query": [_("Log in to save a search.")]})
    try:
        text = search_service.clean_query(query)
        filters = search_service.parse_filters({"kind": kinds or [], "domain": domain})
    except search_service.QueryError as exc:
        raise ValidationError({exc.field: [exc.message]}) from exc
    if len(text) > SavedSearch._meta.get_field("query").max_length:  # type: ignore[operator]
        raise ValidationError({"query": [_("A saved search is at most 500 characters.")]})
    if not user.email:
        raise ValidationError({"query": [_("Your account has no email address to notify.")]})
    if SavedSearch.objects.filter(user=user).count() >= MAX_SAVED_SEARCHES:
        raise ValidationError(
            {"query": [_("You have %(n)s saved searches already.") % {"n": MAX_SAVED_SEARCHES}]}
        )
    saved = SavedSearch.objects.create(
        user=user,
        query=text,
        kinds=",".join(filters.kinds),
        market_domain=MarketDomain.objects.filter(key=filters.domain).first()
        if filters.domain
        else None,
    )
    # What already matches is not news: mark it as announced.
    for match in run_saved_search(saved):
        SavedSearchNotice.objects.get_or_create(saved_search=saved, profile=match.profile)
    return saved


def delete_search(user: Any, saved: SavedSearch) -> None:
    if saved.user_id != user.pk:
        raise SavedSearch.DoesNotExist
    saved.delete()


def run_saved_search(saved: SavedSearch, k: int = NOTIFY_WITHIN) -> list[search_service.Match]:
    filters = search_service.Filters(
        kinds=tuple(saved.kind_list),
        domain=saved.market_domain.key if saved.market_domain else "",
    )
    return search_service.search(saved.user, saved.query, filters=filters, k=k)


def notify_for_profile(profile_id: int) -> int:
    """Notify every saved search whose results now include this profile; returns how many.

    Each search runs as its owner, so a profile its owner cannot see is never announced.
    """
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None:
        return 0
    sent = 0
    user_model = get_user_model()
    for saved in SavedSearch.objects.select_related("user", "market_domain").exclude(
        notices__profile=profile
    ):
        owner = saved.user
        if not isinstance(owner, user_model) or not owner.is_active or not owner.email:
            continue
        if visibility.is_owner(owner, profile) or not visibility.can_see(owner, profile):
            continue
        match = next((m for m in run_saved_search(saved) if m.profile.pk == profile.pk), None)
        # The dense path ranks every profile, however unrelated, so with few profiles any
        # new one is "in the top ten": announce only one that shares a word or a glossary
        # concept with the search.
        if match is None or match.lexical <= 0:
            continue
        try:
            with transaction.atomic():
                SavedSearchNotice.objects.create(saved_search=saved, profile=profile)
        except IntegrityError:
            continue
        _send(saved, profile)
        sent += 1
    return sent


def _send(saved: SavedSearch, profile: Profile) -> None:
    """A notice to the search's owner (e-mailed in their language, after commit)."""
    notify(
        [saved.user],
        NoticeKind.SAVED_SEARCH_HIT,
        gettext_lazy(
            "A new profile matches your saved search “%(query)s”: “%(title)s” "
            "(%(organization)s). You can delete saved searches on the matching page."
        ),
        params={
            "query": saved.query,
            "title": Bilingual(profile.title_ja, profile.title_en),
            "organization": Bilingual(profile.organization.name_ja, profile.organization.name_en),
        },
        path=strip_language(reverse("matching:profile", args=[profile.pk])),
        subject=gettext_lazy("New matching profile for “%(query)s”"),
    )
