"""Load the capability profiles shipped with a dataset (``matching/data/<name>/``).

The rows are checked by the same code as a secretariat's profile import, every row before any
is saved, so the shipped data can never hold what an import would refuse; a problem anywhere
loads nothing. Each row carries a stable ``key``: loading again finds the profile by it and
changes only what the data changed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources
from importlib.resources.abc import Traversable

from django.db import transaction

from biocommunity.core.changelog import snapshot
from biocommunity.matching.choices import ProfileKind, ProfileStatus, Visibility
from biocommunity.matching.models import Profile
from biocommunity.matching.services.profiles import CHANGE_FIELDS, _log, _parse_row
from biocommunity.registry.models import Hub, MarketDomain, Organization
from biocommunity.registry.services.tabular import RowError, read_csv

FILE_NAME = "capabilities.csv"
COLUMNS = [
    "key",
    "organization",
    "capability_type",
    "title_ja",
    "title_en",
    "body_ja",
    "body_en",
    "domain",
    "tags",
    "stage",
    "scale_min_litres",
    "scale_max_litres",
    "gmp",
    "hub",
    "source",
    "as_of",
]
LITRES = Decimal("0.001")
KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class CapabilityDataError(Exception):
    """The shipped profiles are invalid; ``problems`` names each file, row and column."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def data_file(name: str) -> Traversable | None:
    """The dataset's capability file, or None when the dataset ships none."""
    path = resources.files("biocommunity.matching").joinpath("data").joinpath(name, FILE_NAME)
    return path if path.is_file() else None


def _problem(error: RowError) -> str:
    column = f" [{error.column}={error.value!r}]" if error.column else ""
    return f"{FILE_NAME}:{error.row}{column}: {error.message}"


def load_capability_profiles(name: str) -> dict[str, dict[str, int]]:
    """Create or update the dataset's public capability profiles; all rows or none.

    Called by ``load-dataset`` after the registry (the profiles name its organisations).
    Returns the counts for the command's report.
    """
    path = data_file(name)
    if path is None:
        return {}
    return load_capability_rows(path.read_bytes(), dataset=name)


def load_capability_rows(data: bytes, *, dataset: str) -> dict[str, dict[str, int]]:
    """Validate and apply one capability CSV (the shipped file, or a test's variant)."""
    table = read_csv(data)
    if table.headers != COLUMNS:
        raise CapabilityDataError([f"{FILE_NAME}:1: header must be {','.join(COLUMNS)}"])
    by_key = {p.dataset_key: p for p in Profile.objects.filter(dataset_key__isnull=False)}
    existing = {p.pk: p for p in by_key.values()}
    before = {pk: snapshot(p, CHANGE_FIELDS) for pk, p in existing.items()}
    organizations = {o.key: o for o in Organization.objects.all()}
    domains = {d.key: d for d in MarketDomain.objects.all()}
    hubs = {h.key: h for h in Hub.objects.all()}
    problems: list[str] = []
    parsed: list[tuple[str, Profile]] = []
    seen: set[str] = set()
    for number, row in table.rows:
        key = row["key"].strip()
        if not KEY.match(key):
            problems.append(f"{FILE_NAME}:{number} [key={key!r}]: not a key (a-z, 0-9, '-')")
            continue
        if key in seen:
            problems.append(f"{FILE_NAME}:{number} [key={key!r}]: the key appears twice")
            continue
        seen.add(key)
        if not row["source"].strip():
            problems.append(f"{FILE_NAME}:{number} [source='']: every profile needs its source")
        # Shipped profiles are public, active capabilities: the data cannot say otherwise.
        import_row = {
            **{c: v for c, v in row.items() if c != "key"},
            "kind": ProfileKind.CAPABILITY,
            "visibility": Visibility.PUBLIC,
            "status": ProfileStatus.ACTIVE,
            "id": str(by_key[key].pk) if key in by_key else "",
        }
        errors: list[RowError] = []
        profile = _parse_row(
            number,
            import_row,
            organizations=organizations,
            domains=domains,
            hubs=hubs,
            existing=existing,
            errors=errors,
        )
        problems.extend(_problem(e) for e in errors)
        if profile is not None:
            # As stored (3 places), so an unchanged row compares equal to what was loaded.
            for field in ("scale_min_litres", "scale_max_litres"):
                value = getattr(profile, field)
                if value is not None:
                    setattr(profile, field, value.quantize(LITRES))
            parsed.append((key, profile))
    if problems:
        raise CapabilityDataError(problems)
    created = updated = unchanged = 0
    with transaction.atomic():
        for key, profile in parsed:
            if profile.pk is None:
                profile.dataset_key = key
                profile.save()
                _log(profile, None, user=None, channel=f"dataset {dataset}")
                created += 1
            elif snapshot(profile, CHANGE_FIELDS) != before[profile.pk]:
                profile.save()
                _log(profile, before[profile.pk], user=None, channel=f"dataset {dataset}")
                updated += 1
            else:
                unchanged += 1
    return {"capability profiles": {"created": created, "updated": updated, "unchanged": unchanged}}
