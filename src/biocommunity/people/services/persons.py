"""A person's language and e-mail wishes, created on first use."""

from __future__ import annotations

from typing import Any

from biocommunity.people.choices import Language
from biocommunity.people.models import Person


def person_of(user: Any) -> Person:
    """The user's Person row (made with the default language when missing)."""
    cached = getattr(user, "_biocommunity_person", None)
    if cached is not None:
        return cached
    person, _created = Person.objects.get_or_create(user=user)
    user._biocommunity_person = person
    return person


def language_of(user: Any) -> str:
    """The language the platform writes to this user in ("ja" or "en")."""
    if user is None or not getattr(user, "pk", None):
        return Language.JA.value
    return person_of(user).language


def wants_email(user: Any, kind: str) -> bool:
    """False when the person has asked to see this kind of notice in the platform only."""
    return kind not in (person_of(user).email_muted_kinds or [])
