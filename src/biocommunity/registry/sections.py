"""Sections other apps add to the organisation page.

The registry may import no other app, yet an organisation's page should show what the rest
of the platform knows about it (its matching profiles, its certificates). Apps above the
registry register a provider here when they start; the page asks each provider in turn.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from biocommunity.registry.models import Organization


@dataclass(frozen=True)
class Section:
    """A template to include on the organisation page and the context it needs."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


Provider = Callable[[Any, Organization], Section | None]
_providers: dict[str, Provider] = {}


def add_organization_section(name: str, provider: Provider) -> None:
    """Register ``provider(user, organization)``; registering a name again replaces it."""
    _providers[name] = provider


def organization_sections(user: Any, organization: Organization) -> list[Section]:
    """The sections for this viewer, in registration order; a provider returns None to
    show nothing (e.g. no profile the viewer may see)."""
    sections = (provider(user, organization) for provider in _providers.values())
    return [section for section in sections if section is not None]
