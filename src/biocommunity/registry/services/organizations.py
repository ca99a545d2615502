"""Organisations: validated import (all-or-nothing), export, and profile edits with history."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from biocommunity.core.changelog import build_record, diff, record_change, snapshot
from biocommunity.core.models import ChangeAction, ChangeRecord
from biocommunity.core.provenance import validate_partial_date
from biocommunity.core.spreadsheets import append_xlsx, neutralise
from biocommunity.registry.choices import (
    PREFECTURE_NAMES,
    HubFunction,
    OrganizationKind,
    resolve_prefecture,
)
from biocommunity.registry.models import (
    Classification,
    Community,
    Hub,
    HubMembership,
    ImportRun,
    MarketDomain,
    Organization,
    OrganizationMarketDomain,
    ProgrammeEntry,
)
from biocommunity.registry.models.organization import validate_corporate_number, validate_ror_id
from biocommunity.registry.services import directory, permissions
from biocommunity.registry.services.tabular import (
    DryRunRollback,
    ImportFailed,
    RowError,
    Table,
    check_headers,
    read_table,
)
from biocommunity.registry.services.text import build_search_text

KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Fields stored on Organization, in export order.
FIELD_COLUMNS = [
    "key",
    "name_ja",
    "name_en",
    "short_name",
    "aliases",
    "kinds",
    "country",
    "prefecture",
    "city_ja",
    "city_en",
    "lat",
    "lon",
    "location_basis",
    "website",
    "description_ja",
    "description_en",
    "corporate_number",
    "ror_id",
    "listed",
    "parent",
    "source",
    "as_of",
]
LINK_COLUMNS = ["hubs", "market_domains"]
IMPORT_COLUMNS = FIELD_COLUMNS + LINK_COLUMNS
REQUIRED_COLUMNS = ["key", "name_ja", "name_en"]
SCALAR_FIELDS = [
    c for c in FIELD_COLUMNS if c not in {"key", "kinds", "parent", "lat", "lon", "listed"}
]
MAX_LENGTHS = {
    "name_ja": 300,
    "name_en": 300,
    "short_name": 80,
    "city_ja": 100,
    "city_en": 100,
    "location_basis": 200,
    "website": 200,
}
JAPAN_BOUNDS = (20.0, 46.0, 122.0, 154.0)  # lat min/max, lon min/max
TRUE_WORDS = {"true", "yes", "y", "1", "上場", "はい"}
FALSE_WORDS = {"false", "no", "n", "0", "非上場", "いいえ"}
CHUNK = 500


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def merge_sources(*values: str) -> str:
    seen: list[str] = []
    for value in values:
        for part in value.split("|"):
            part = part.strip()
            if part and part not in seen:
                seen.append(part)
    return " | ".join(seen)


@dataclass
class OrganizationRow:
    """One validated input row: only the columns the file had are set."""

    row: int
    key: str
    values: dict[str, Any] = field(default_factory=dict)
    kinds: list[str] | None = None
    parent_key: str | None = None
    has_parent: bool = False
    hubs: list[tuple[str, str]] | None = None
    market_domains: list[int] | None = None


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    encoding: str = ""
    run_id: int | None = None
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "encoding": self.encoding,
            "import_run": self.run_id,
            "errors": [e.as_dict() for e in self.errors],
        }


class _RowChecker:
    """Collects errors for one row so that every problem is reported, not just the first."""

    def __init__(self, row: int, errors: list[RowError]) -> None:
        self.row = row
        self.errors = errors

    def error(self, column: str, value: str, message: str) -> None:
        self.errors.append(RowError(self.row, column, value, message))

    def run(self, column: str, value: str, validator: Callable[[str], None]) -> bool:
        try:
            validator(value)
        except ValidationError as exc:
            for message in exc.messages:
                self.error(column, value, message)
            return False
        return True


def _parse_float(check: _RowChecker, column: str, value: str) -> float | None:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        check.error(column, value, _("Not a number: write decimal degrees such as 35.5308."))
        return None
    if number != number or number in (float("inf"), float("-inf")):
        check.error(column, value, _("Not a finite number."))
        return None
    return number


def parse_organization_table(
    table: Table,
    *,
    hub_keys: set[str],
    domain_numbers: set[int],
    existing_keys: set[str] | None = None,
    allow_columns: Iterable[str] = IMPORT_COLUMNS,
) -> tuple[list[OrganizationRow], list[RowError]]:
    """Validate every row; return the rows and every error found (row 1 = header)."""
    errors = check_headers(table, known=allow_columns, required=REQUIRED_COLUMNS)
    if errors:
        return [], errors

    present = set(table.headers)
    seen_keys: dict[str, int] = {}
    rows: list[OrganizationRow] = []
    url_validator = URLValidator(schemes=["http", "https"])
    kind_values = set(OrganizationKind.values)
    function_values = set(HubFunction.values)

    for number, cells in table.rows:
        check = _RowChecker(number, errors)
        for column, value in cells.items():
            if "\x00" in value:
                check.error(
                    column,
                    value.replace("\x00", "\\0")[:40],
                    _("The cell contains a NUL character; remove it."),
                )
        key = cells.get("key", "")
        if not key:
            check.error("key", key, _("The key is empty."))
        elif not KEY_PATTERN.match(key) or len(key) > 80:
            check.error("key", key, _("A key uses only a-z, 0-9 and single hyphens (max. 80)."))
        elif key in seen_keys:
            check.error(
                "key",
                key,
                _("Duplicate key: already used on row %(row)s.") % {"row": seen_keys[key]},
            )
        else:
            seen_keys[key] = number
        item = OrganizationRow(row=number, key=key)

        # name_ja may be empty: an organisation abroad often has no Japanese name, and one
        # written in Latin letters would only repeat the English name as if it were Japanese.
        if not cells.get("name_en"):
            check.error("name_en", "", _("This column must not be empty."))
        for name in SCALAR_FIELDS:
            if name not in present:
                continue
            value = cells.get(name, "")
            limit = MAX_LENGTHS.get(name)
            if limit and len(value) > limit:
                check.error(
                    name,
                    value[:40],
                    _("Too long: at most %(limit)s characters.") % {"limit": limit},
                )
                continue
            item.values[name] = value

        if "aliases" in present:
            item.values["aliases"] = ";".join(split_list(cells.get("aliases", "")))
        country = item.values.get("country", "JP" if "country" not in present else "")
        if "country" in present:
            country = country.upper() or "JP"
            if not re.fullmatch(r"[A-Z]{2}", country):
                check.error(
                    "country", cells["country"], _("Write a two-letter country code (JP, US …).")
                )
            item.values["country"] = country
        if "prefecture" in present:
            raw = cells.get("prefecture", "")
            code = resolve_prefecture(raw) if raw else ""
            if raw and code is None:
                check.error(
                    "prefecture", raw, _("Unknown prefecture: write e.g. 東京都, Tokyo or 13.")
                )
            elif code and country != "JP":
                check.error(
                    "prefecture", raw, _("A prefecture is only for organisations in Japan.")
                )
            item.values["prefecture"] = code or ""
        if "website" in present and item.values.get("website"):
            check.run("website", item.values["website"], url_validator)
        if item.values.get("corporate_number"):
            check.run(
                "corporate_number", item.values["corporate_number"], validate_corporate_number
            )
        if item.values.get("ror_id"):
            check.run("ror_id", item.values["ror_id"], validate_ror_id)
        if item.values.get("as_of"):
            check.run("as_of", item.values["as_of"], validate_partial_date)

        if "kinds" in present:
            kinds = split_list(cells.get("kinds", ""))
            bad = [k for k in kinds if k not in kind_values]
            for kind in bad:
                check.error(
                    "kinds",
                    kind,
                    _("Unknown kind '%(kind)s'. Known kinds: %(known)s.")
                    % {"kind": kind, "known": ", ".join(OrganizationKind.values)},
                )
            item.kinds = sorted(set(kinds))

        if "lat" in present or "lon" in present:
            lat_raw, lon_raw = cells.get("lat", ""), cells.get("lon", "")
            if bool(lat_raw) != bool(lon_raw):
                missing = "lon" if lat_raw else "lat"
                check.error(missing, "", _("Give both latitude and longitude, or neither."))
            elif lat_raw:
                lat = _parse_float(check, "lat", lat_raw)
                lon = _parse_float(check, "lon", lon_raw)
                la0, la1, lo0, lo1 = JAPAN_BOUNDS
                swapped = (
                    lat is not None
                    and lon is not None
                    and country == "JP"
                    and la0 <= lon <= la1
                    and lo0 <= lat <= lo1
                )
                if swapped:
                    check.error(
                        "lat",
                        f"{lat_raw}, {lon_raw}",
                        _("This point is outside Japan: are latitude and longitude swapped?"),
                    )
                elif lat is not None and not -90 <= lat <= 90:
                    check.error("lat", lat_raw, _("Latitude must be between -90 and 90."))
                elif lon is not None and not -180 <= lon <= 180:
                    check.error("lon", lon_raw, _("Longitude must be between -180 and 180."))
                elif lat is not None and lon is not None:
                    if country == "JP" and not (la0 <= lat <= la1 and lo0 <= lon <= lo1):
                        check.error(
                            "lat", f"{lat_raw}, {lon_raw}", _("This point is outside Japan.")
                        )
                    item.values["lat"], item.values["lon"] = round(lat, 6), round(lon, 6)
            else:
                item.values["lat"] = item.values["lon"] = None

        if "listed" in present:
            raw = cells.get("listed", "")
            word = raw.strip().casefold()
            if not word:
                item.values["listed"] = None
            elif word in TRUE_WORDS:
                item.values["listed"] = True
            elif word in FALSE_WORDS:
                item.values["listed"] = False
            else:
                check.error("listed", raw, _("Write true, false or leave empty."))

        if "parent" in present:
            item.has_parent = True
            item.parent_key = cells.get("parent", "") or None
            if item.parent_key == key and key:
                check.error("parent", key, _("An organisation cannot be its own parent."))

        if "hubs" in present:
            pairs: list[tuple[str, str]] = []
            for part in split_list(cells.get("hubs", "")):
                hub, _sep, function = part.partition(":")
                hub, function = hub.strip(), function.strip()
                if hub not in hub_keys:
                    check.error(
                        "hubs",
                        part,
                        _("Unknown hub '%(hub)s'. Known hubs: %(known)s.")
                        % {"hub": hub, "known": ", ".join(sorted(hub_keys)) or "-"},
                    )
                elif function not in function_values:
                    check.error(
                        "hubs",
                        part,
                        _(
                            "Unknown function '%(function)s'. Write hub:function; "
                            "functions: %(known)s."
                        )
                        % {"function": function, "known": ", ".join(HubFunction.values)},
                    )
                else:
                    pairs.append((hub, function))
            item.hubs = sorted(set(pairs))

        if "market_domains" in present:
            numbers: list[int] = []
            for part in split_list(cells.get("market_domains", "")):
                if not part.isdigit() or int(part) not in domain_numbers:
                    check.error(
                        "market_domains",
                        part,
                        _("Unknown market domain '%(value)s': write numbers such as 5;6.")
                        % {"value": part},
                    )
                else:
                    numbers.append(int(part))
            item.market_domains = sorted(set(numbers))
        rows.append(item)

    known = set(seen_keys) | (existing_keys or set())
    for item in rows:
        if item.parent_key and item.parent_key != item.key and item.parent_key not in known:
            if existing_keys is None and Organization.objects.filter(key=item.parent_key).exists():
                continue
            errors.append(
                RowError(
                    item.row,
                    "parent",
                    item.parent_key,
                    _("Unknown parent key: no organisation has it."),
                )
            )
    return rows, errors


def _search_text(org: Organization, link_words: Iterable[str] = ()) -> str:
    names = PREFECTURE_NAMES.get(org.prefecture, ("", ""))
    return build_search_text(
        [
            org.key,
            org.name_ja,
            org.name_en,
            org.short_name,
            org.aliases.replace(";", " "),
            org.description_ja,
            org.description_en,
            org.city_ja,
            org.city_en,
            *names,
            *link_words,
        ]
    )


def _link_words(org: Organization) -> list[str]:
    """What the organisation's links say about it: its kinds, hub functions and programmes
    (labels in both languages with their synonyms) and the programmes' names. An entry's
    detail stays out: it often names another place (a CDMO's new plant, a biofoundry site),
    which would make the organisation turn up under that place."""
    return _words_for_links(
        Classification.objects.filter(organization=org).values_list("kind", flat=True),
        HubMembership.objects.filter(organization=org).values_list("function", flat=True),
        ProgrammeEntry.objects.filter(organization=org).values_list(
            "programme__kind", "programme__name_ja", "programme__name_en"
        ),
    )


def _words_for_links(
    kinds: Iterable[str], functions: Iterable[str], programmes: Iterable[tuple[str, str, str]]
) -> list[str]:
    programmes = list(programmes)
    codes = [f"kind:{k}" for k in kinds] + [f"function:{f}" for f in functions]
    codes += [f"programme:{kind}" for kind, _ja, _en in programmes]
    words = directory.describing_words(codes)
    for _kind, name_ja, name_en in programmes:
        words += [name_ja, name_en]
    return words


def refresh_search_text(org: Organization) -> None:
    """Recompute ``org.search_text`` (not saved); a stored organisation's links count too."""
    org.search_text = _search_text(org, _link_words(org) if org.pk else ())


_deferral = threading.local()


@contextmanager
def search_texts_deferred() -> Iterator[None]:
    """Inside the block, links saved one at a time leave search texts alone; when it ends
    without an error every organisation's text is recomputed once (a loader writing hundreds
    of links would otherwise recompute an organisation's text for each)."""
    depth = getattr(_deferral, "depth", 0)
    _deferral.depth = depth + 1
    try:
        yield
    finally:
        _deferral.depth = depth
    if depth == 0:
        refresh_search_texts()


def search_texts_are_deferred() -> bool:
    return bool(getattr(_deferral, "depth", 0))


def refresh_search_texts(ids: Iterable[int] | None = None) -> int:
    """Recompute and store the search text of these organisations (all when ``ids`` is None)
    after their kinds, hub functions or programmes changed; returns how many changed.

    Reads the links as plain rows and writes with one UPDATE per changed row (an import of
    thousands of rows would spend seconds in prefetching and CASE-built bulk updates).
    Bulk writes send no signals, so this marks the directory's cached facets stale itself.
    """
    if ids is None:
        chunks: Iterable[Sequence[int]] = _chunks(
            list(Organization.objects.order_by("pk").values_list("pk", flat=True))
        )
    else:
        chunks = _chunks(sorted(set(ids)))
    changed: list[tuple[str, int]] = []
    for chunk in chunks:
        kinds: dict[int, list[str]] = defaultdict(list)
        for org_id, kind in Classification.objects.filter(organization_id__in=chunk).values_list(
            "organization_id", "kind"
        ):
            kinds[org_id].append(kind)
        functions: dict[int, list[str]] = defaultdict(list)
        for org_id, function in HubMembership.objects.filter(organization_id__in=chunk).values_list(
            "organization_id", "function"
        ):
            functions[org_id].append(function)
        programmes: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for org_id, *programme in ProgrammeEntry.objects.filter(
            organization_id__in=chunk
        ).values_list(
            "organization_id", "programme__kind", "programme__name_ja", "programme__name_en"
        ):
            programmes[org_id].append((programme[0], programme[1], programme[2]))
        for org in Organization.objects.filter(pk__in=chunk).only(*_SEARCHED_FIELDS):
            words = _words_for_links(kinds[org.pk], functions[org.pk], programmes[org.pk])
            text = _search_text(org, words)
            if text != org.search_text:
                changed.append((text, org.pk))
    if changed:
        # The table name comes from the model, every value is a bound parameter.
        table = connection.ops.quote_name(Organization._meta.db_table)
        sql = f"UPDATE {table} SET search_text = %s WHERE id = %s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, changed)
        directory.mark_stale()
    return len(changed)


# What _search_text reads, so a refresh loads nothing else.
_SEARCHED_FIELDS = (
    "key",
    "name_ja",
    "name_en",
    "short_name",
    "aliases",
    "description_ja",
    "description_en",
    "city_ja",
    "city_en",
    "prefecture",
    "search_text",
)


TRACKED_FIELDS = [c for c in FIELD_COLUMNS if c not in {"key", "kinds", "parent"}] + ["parent_id"]


def apply_organization_rows(
    rows: list[OrganizationRow],
    *,
    community: Community | None,
    user: Any,
    channel: str,
    default_source: str,
    default_as_of: str,
) -> tuple[int, int, int]:
    """Create or update the rows' organisations with their links; returns created/updated/unchanged.

    The caller holds the transaction: this either applies every row or raises.
    """
    keys = [r.key for r in rows]
    existing: dict[str, Organization] = {}
    for chunk in _chunks(keys):
        existing.update({o.key: o for o in Organization.objects.filter(key__in=chunk)})

    created: list[Organization] = []
    before: dict[str, dict[str, Any]] = {}
    for item in rows:
        org = existing.get(item.key)
        if org is None:
            org = Organization(key=item.key)
            created.append(org)
        else:
            before[item.key] = snapshot(org, TRACKED_FIELDS)
        for name, value in item.values.items():
            # An empty source/as_of cell keeps what the record already says.
            if name in ("source", "as_of") and not value:
                continue
            setattr(org, name, value)
        if not org.source:
            org.source = default_source
        if not org.as_of:
            org.as_of = default_as_of
        existing[item.key] = org

    for org in created:
        refresh_search_text(org)
    Organization.objects.bulk_create(created, batch_size=CHUNK)
    if any(o.pk is None for o in created):  # backends without RETURNING
        for chunk in _chunks([o.key for o in created]):
            ids = dict(Organization.objects.filter(key__in=chunk).values_list("key", "pk"))
            for org in created:
                if org.key in ids:
                    org.pk = ids[org.key]

    parent_keys = {r.parent_key for r in rows if r.parent_key} - set(existing)
    parent_ids = {k: o.pk for k, o in existing.items()}
    for chunk in _chunks(sorted(parent_keys)):
        parent_ids.update(dict(Organization.objects.filter(key__in=chunk).values_list("key", "pk")))
    for item in rows:
        if item.has_parent:
            existing[item.key].parent_id = (
                parent_ids.get(item.parent_key) if item.parent_key else None
            )

    link_changes = _apply_links(rows, existing, community, default_source, default_as_of)

    created_keys = {o.key for o in created}
    updated: list[Organization] = []
    records: list[ChangeRecord] = []
    unchanged = 0
    for item in rows:
        org = existing[item.key]
        if item.key in created_keys:
            changes = {
                k: [None, v]
                for k, v in snapshot(org, TRACKED_FIELDS).items()
                if v not in ("", None)
            }
            changes.update(link_changes.get(item.key, {}))
            records.append(
                build_record(
                    org, action=ChangeAction.CREATE, changes=changes, user=user, channel=channel
                )
            )
            continue
        changes = diff(before[item.key], snapshot(org, TRACKED_FIELDS))
        changes.update(link_changes.get(item.key, {}))
        if changes:
            updated.append(org)
            records.append(
                build_record(
                    org, action=ChangeAction.UPDATE, changes=changes, user=user, channel=channel
                )
            )
        else:
            unchanged += 1
    save_fields = [f for f in TRACKED_FIELDS if f != "parent_id"] + ["parent", "updated_at"]
    Organization.objects.bulk_update(updated, save_fields, batch_size=CHUNK)
    parented = [existing[r.key] for r in rows if r.has_parent and r.key in created_keys]
    Organization.objects.bulk_update(parented, ["parent"], batch_size=CHUNK)
    ChangeRecord.objects.bulk_create(records, batch_size=CHUNK)
    # The search text covers the links too, so it is computed once they are written.
    refresh_search_texts(o.pk for o in [*created, *updated] if o.pk is not None)
    # bulk writes send no signals: tell the directory its cached counts are stale.
    directory.mark_stale()
    return len(created), len(updated), unchanged


def _apply_links(
    rows: list[OrganizationRow],
    orgs: dict[str, Organization],
    community: Community | None,
    default_source: str,
    default_as_of: str,
) -> dict[str, dict[str, list[Any]]]:
    """Replace kinds, hub functions and market domains given in the rows; return their diffs."""
    changes: dict[str, dict[str, list[Any]]] = defaultdict(dict)
    ids = {k: o.pk for k, o in orgs.items()}

    kind_rows = [r for r in rows if r.kinds is not None]
    if kind_rows:
        current: dict[int, list[str]] = defaultdict(list)
        for chunk in _chunks([ids[r.key] for r in kind_rows]):
            for org_id, kind in Classification.objects.filter(
                organization_id__in=chunk
            ).values_list("organization_id", "kind"):
                current[org_id].append(kind)
        replace = [r for r in kind_rows if sorted(current[ids[r.key]]) != r.kinds]
        for chunk in _chunks([ids[r.key] for r in replace]):
            Classification.objects.filter(organization_id__in=chunk).delete()
        Classification.objects.bulk_create(
            [
                Classification(organization_id=ids[r.key], kind=k)
                for r in replace
                for k in r.kinds or []
            ],
            batch_size=CHUNK,
        )
        for r in replace:
            changes[r.key]["kinds"] = [
                ";".join(sorted(current[ids[r.key]])),
                ";".join(r.kinds or []),
            ]

    hub_rows = [r for r in rows if r.hubs is not None]
    if hub_rows and community is not None:
        hubs = {h.key: h.pk for h in Hub.objects.filter(community=community)}
        hub_names = {pk: key for key, pk in hubs.items()}
        current_hubs: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for chunk in _chunks([ids[r.key] for r in hub_rows]):
            for org_id, hub_id, function in HubMembership.objects.filter(
                organization_id__in=chunk, hub__community=community
            ).values_list("organization_id", "hub_id", "function"):
                current_hubs[org_id].append((hub_names[hub_id], function))
        replace = [r for r in hub_rows if sorted(current_hubs[ids[r.key]]) != r.hubs]
        for chunk in _chunks([ids[r.key] for r in replace]):
            HubMembership.objects.filter(
                organization_id__in=chunk, hub__community=community
            ).delete()
        HubMembership.objects.bulk_create(
            [
                HubMembership(
                    organization_id=ids[r.key],
                    hub_id=hubs[h],
                    function=f,
                    source=default_source,
                    as_of=default_as_of,
                )
                for r in replace
                for h, f in r.hubs or []
            ],
            batch_size=CHUNK,
        )
        for r in replace:
            changes[r.key]["hubs"] = [
                format_hubs(current_hubs[ids[r.key]]),
                format_hubs(r.hubs or []),
            ]

    domain_rows = [r for r in rows if r.market_domains is not None]
    if domain_rows:
        domains = dict(MarketDomain.objects.values_list("number", "pk"))
        domain_numbers = {pk: n for n, pk in domains.items()}
        current_domains: dict[int, list[int]] = defaultdict(list)
        for chunk in _chunks([ids[r.key] for r in domain_rows]):
            for org_id, domain_id in OrganizationMarketDomain.objects.filter(
                organization_id__in=chunk
            ).values_list("organization_id", "domain_id"):
                current_domains[org_id].append(domain_numbers[domain_id])
        replace = [
            r for r in domain_rows if sorted(current_domains[ids[r.key]]) != r.market_domains
        ]
        for chunk in _chunks([ids[r.key] for r in replace]):
            OrganizationMarketDomain.objects.filter(organization_id__in=chunk).delete()
        OrganizationMarketDomain.objects.bulk_create(
            [
                OrganizationMarketDomain(
                    organization_id=ids[r.key],
                    domain_id=domains[n],
                    source=default_source,
                    as_of=default_as_of,
                )
                for r in replace
                for n in r.market_domains or []
            ],
            batch_size=CHUNK,
        )
        for r in replace:
            old = ";".join(str(n) for n in sorted(current_domains[ids[r.key]]))
            changes[r.key]["market_domains"] = [
                old,
                ";".join(str(n) for n in r.market_domains or []),
            ]
    return changes


def format_hubs(pairs: Iterable[tuple[str, str]]) -> str:
    return ";".join(f"{hub}:{function}" for hub, function in sorted(pairs))


def default_community() -> Community | None:
    from django.conf import settings

    return (
        Community.objects.filter(key=settings.BIOCOMMUNITY_DEFAULT_COMMUNITY).first()
        or Community.objects.order_by("pk").first()
    )


def import_organizations(
    data: bytes,
    file_name: str,
    *,
    user: Any = None,
    dry_run: bool = False,
    community: Community | None = None,
    check_permission: bool = True,
) -> ImportReport:
    """Import a CSV/XLSX of organisations: every row applies, or nothing does.

    Rows match existing organisations by ``key``; columns absent from the file are left as
    they are, an empty cell clears its field. Errors come back in the report, never half-done.
    """
    if check_permission:
        permissions.require_secretariat(user)
    report = ImportReport(dry_run=dry_run)
    from django.conf import settings

    if len(data) > settings.BIOCOMMUNITY_IMPORT_MAX_BYTES:
        report.errors.append(
            RowError(
                0,
                "",
                file_name,
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.BIOCOMMUNITY_IMPORT_MAX_BYTES // 2**20},
            )
        )
        return report
    community = community or default_community()
    try:
        table = read_table(data, file_name)
    except ImportFailed as exc:
        report.errors = exc.errors
        return report
    report.encoding = table.encoding
    report.rows = len(table.rows)
    hub_keys = (
        set(Hub.objects.filter(community=community).values_list("key", flat=True))
        if community
        else set()
    )
    domain_numbers = set(MarketDomain.objects.values_list("number", flat=True))
    rows, errors = parse_organization_table(table, hub_keys=hub_keys, domain_numbers=domain_numbers)
    if errors:
        report.errors = errors
        return report
    digest = hashlib.sha256(data).hexdigest()
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                user=user if getattr(user, "is_authenticated", False) else None,
                kind="organizations",
                file_name=file_name[:255],
                sha256=digest,
                rows=len(rows),
            )
            report.created, report.updated, report.unchanged = apply_organization_rows(
                rows,
                community=community,
                user=user,
                channel=f"import #{run.pk} {file_name}"[:200],
                default_source=run.citation,
                default_as_of=date.today().isoformat(),
            )
            run.created, run.updated, run.unchanged = (
                report.created,
                report.updated,
                report.unchanged,
            )
            run.save(update_fields=["created", "updated", "unchanged"])
            report.run_id = run.pk
            if dry_run:
                report.run_id = None
                raise DryRunRollback
    except DryRunRollback:
        pass
    return report


# ---------------------------------------------------------------- export

# The import's columns, with the link columns after the kinds (one notation both ways).
EXPORT_COLUMNS = [*FIELD_COLUMNS[:6], *LINK_COLUMNS, *FIELD_COLUMNS[6:]]


def export_queryset(queryset: QuerySet[Organization] | None = None) -> QuerySet[Organization]:
    qs = queryset if queryset is not None else Organization.objects.all()
    return (
        qs.select_related("parent")
        .prefetch_related(
            "classifications",
            Prefetch("hub_memberships", queryset=HubMembership.objects.select_related("hub")),
            Prefetch(
                "market_domain_links",
                queryset=OrganizationMarketDomain.objects.select_related("domain"),
            ),
        )
        .order_by("key")
    )


def organization_record(org: Organization) -> dict[str, Any]:
    """One organisation as plain data, the shape shared by CSV, XLSX, JSON and the API."""
    hubs: dict[str, list[str]] = defaultdict(list)
    for membership in org.hub_memberships.all():
        hubs[membership.hub.key].append(membership.function)
    return {
        "key": org.key,
        "name_ja": org.name_ja,
        "name_en": org.name_en,
        "short_name": org.short_name,
        "aliases": org.alias_list,
        "kinds": sorted(c.kind for c in org.classifications.all()),
        "hubs": [{"hub": h, "functions": sorted(f)} for h, f in sorted(hubs.items())],
        "market_domains": sorted(link.domain.number for link in org.market_domain_links.all()),
        "country": org.country,
        "prefecture": PREFECTURE_NAMES.get(org.prefecture, ("", ""))[0],
        "city_ja": org.city_ja,
        "city_en": org.city_en,
        "lat": org.lat,
        "lon": org.lon,
        "coordinates_approximate": org.lat is not None,
        "location_basis": org.location_basis,
        "website": org.website,
        "description_ja": org.description_ja,
        "description_en": org.description_en,
        "corporate_number": org.corporate_number,
        "ror_id": org.ror_id,
        "listed": org.listed,
        "parent": org.parent.key if org.parent else None,
        "sources": org.sources,
        "as_of": org.as_of,
    }


def _flat(record: dict[str, Any]) -> dict[str, str]:
    """A record as spreadsheet cells, in the same notation the import accepts."""
    hubs = [(h["hub"], f) for h in record["hubs"] for f in h["functions"]]
    listed = record["listed"]
    values = {
        **record,
        "aliases": ";".join(record["aliases"]),
        "kinds": ";".join(record["kinds"]),
        "hubs": format_hubs(hubs),
        "market_domains": ";".join(str(n) for n in record["market_domains"]),
        "lat": _coordinate(record["lat"]),
        "lon": _coordinate(record["lon"]),
        "listed": "" if listed is None else ("true" if listed else "false"),
        "parent": record["parent"] or "",
        "source": " | ".join(record["sources"]),
    }
    return {c: "" if values.get(c) is None else str(values[c]) for c in EXPORT_COLUMNS}


def _coordinate(value: float | None) -> str:
    """Six decimals (about 10 cm), as the import stores them, without trailing zeros."""
    if value is None:
        return ""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def iter_records(queryset: QuerySet[Organization] | None = None) -> Iterator[dict[str, Any]]:
    yield from (organization_record(o) for o in export_queryset(queryset).iterator(chunk_size=2000))


def export_organizations(fmt: str, queryset: QuerySet[Organization] | None = None) -> bytes:
    """Serialise organisations as csv, json or xlsx (the same columns the import reads)."""
    if fmt == "json":
        return json.dumps(list(iter_records(queryset)), ensure_ascii=False, indent=1).encode()
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for record in iter_records(queryset):
            writer.writerow({k: neutralise(v) for k, v in _flat(record).items()})
        # BOM so that Excel on Japanese Windows opens it as UTF-8.
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("organizations")
        sheet.append(EXPORT_COLUMNS)
        for record in iter_records(queryset):
            flat = _flat(record)
            append_xlsx(sheet, [flat[c] for c in EXPORT_COLUMNS])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    raise ValueError(_("Unknown format '%(fmt)s': use csv, json or xlsx.") % {"fmt": fmt})


# ---------------------------------------------------------------- member profile edits

PROFILE_FIELDS = [
    "name_ja",
    "name_en",
    "short_name",
    "aliases",
    "website",
    "city_ja",
    "city_en",
    "description_ja",
    "description_en",
    "corporate_number",
    "ror_id",
]


@transaction.atomic
def update_profile(
    organization: Organization, data: dict[str, Any], *, user: Any, channel: str = "profile form"
) -> dict[str, list[Any]]:
    """Apply a member's or the secretariat's profile edit and keep it in the history."""
    permissions.require_edit_organization(user, organization)
    fields = [f for f in PROFILE_FIELDS if f in data]
    before = snapshot(organization, fields)
    for name in fields:
        setattr(organization, name, data[name])
    organization.full_clean(exclude=["parent"])
    changes = diff(before, snapshot(organization, fields))
    if changes:
        refresh_search_text(organization)
        organization.save()
        record_change(
            organization, action=ChangeAction.UPDATE, changes=changes, user=user, channel=channel
        )
    return changes
