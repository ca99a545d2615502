"""The organisation page's sections from matching and certification (see registry.sections)."""

from __future__ import annotations

from typing import Any

from biocommunity.portal.services.organization_page import certificates_of, profiles_of
from biocommunity.registry.models import Organization
from biocommunity.registry.sections import Section, add_organization_section


def certificates_section(user: Any, organization: Organization) -> Section | None:
    certificates = certificates_of(organization)
    if not certificates:
        return None
    return Section("portal/_organization_certificates.html", {"certificates": certificates})


def profiles_section(user: Any, organization: Organization) -> Section | None:
    profiles = profiles_of(user, organization)
    if not profiles:
        return None
    return Section("portal/_organization_profiles.html", {"profiles": profiles})


def connect() -> None:
    add_organization_section("certificates", certificates_section)
    add_organization_section("profiles", profiles_section)
