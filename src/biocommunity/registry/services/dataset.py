"""Load a shipped dataset (``data/<name>/``): validated like an import, idempotent."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from django.db import models, transaction
from django.utils.translation import gettext as _

from biocommunity.core.provenance import is_partial_date
from biocommunity.core.syncing import sync_by_natural_key
from biocommunity.registry.choices import CommunityKind, CouncilRole, HubFunction, ProgrammeKind
from biocommunity.registry.models import (
    Community,
    CouncilCategory,
    CouncilSeat,
    Hub,
    HubFigure,
    HubMembership,
    MarketDomain,
    NationalProject,
    Organization,
    OrganizationMarketDomain,
    Partnership,
    Programme,
    ProgrammeEntry,
    ProjectParticipation,
)
from biocommunity.registry.services.organizations import (
    FIELD_COLUMNS,
    OrganizationRow,
    apply_organization_rows,
    merge_sources,
    parse_organization_table,
    search_texts_deferred,
)
from biocommunity.registry.services.tabular import Table, read_csv

MERGED_LIST_FIELDS = {"aliases"}


class DatasetError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class LoadReport:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, name: str, created: int, updated: int, unchanged: int) -> None:
        self.counts[name] = {"created": created, "updated": updated, "unchanged": unchanged}

    @property
    def changed(self) -> int:
        return sum(c["created"] + c["updated"] for c in self.counts.values())


def available_datasets() -> list[str]:
    root = resources.files("biocommunity.registry").joinpath("data")
    return sorted(
        p.name for p in root.iterdir() if p.is_dir() and p.joinpath("community.yaml").is_file()
    )


def _dataset_root(name: str) -> Traversable:
    if name not in available_datasets():
        raise DatasetError(
            [
                _("Unknown dataset '%(name)s'. Available: %(known)s.")
                % {"name": name, "known": ", ".join(available_datasets())}
            ]
        )
    return resources.files("biocommunity.registry").joinpath("data").joinpath(name)


class _Reader:
    """Reads the dataset's files and collects every problem with its file and row."""

    def __init__(self, root: Traversable) -> None:
        self.root = root
        self.problems: list[str] = []

    def problem(self, file: str, row: int, column: str, value: str, message: str) -> None:
        where = f"{file}:{row}" if row else file
        col = f" [{column}={value!r}]" if column else ""
        self.problems.append(f"{where}{col}: {message}")

    def table(
        self, name: str, columns: list[str], *, optional: bool = False
    ) -> list[tuple[int, dict[str, str]]]:
        path = self.root.joinpath(name)
        if not path.is_file():
            if not optional:
                self.problem(name, 0, "", "", _("File is missing."))
            return []
        table = read_csv(path.read_bytes())
        if table.headers != columns:
            self.problem(
                name, 1, "", "", _("Header must be: %(columns)s") % {"columns": ",".join(columns)}
            )
            return []
        for number, row in table.rows:
            if row.get("as_of") and not is_partial_date(row["as_of"]):
                self.problem(
                    name,
                    number,
                    "as_of",
                    row["as_of"],
                    _("Not a date (YYYY, YYYY-MM, YYYY-MM-DD)."),
                )
        return table.rows

    def require(
        self, name: str, number: int, row: dict[str, str], column: str, allowed: Iterable[str]
    ) -> bool:
        value = row.get(column, "")
        allowed_set = set(allowed)
        if value not in allowed_set:
            self.problem(
                name,
                number,
                column,
                value,
                _("Unknown value; expected one of: %(known)s")
                % {"known": ", ".join(sorted(allowed_set))[:300]},
            )
            return False
        return True


def _merge_organization_rows(
    reader: _Reader, tables: list[tuple[str, Table]]
) -> list[OrganizationRow]:
    all_keys = {cells.get("key", "") for _n, t in tables for _r, cells in t.rows}
    merged: dict[str, tuple[str, OrganizationRow]] = {}
    for file_name, table in tables:
        rows, errors = parse_organization_table(
            table,
            hub_keys=set(),
            domain_numbers=set(),
            existing_keys=all_keys,
            allow_columns=FIELD_COLUMNS,
        )
        for error in errors:
            reader.problem(file_name, error.row, error.column, error.value, error.message)
        for row in rows:
            if row.key not in merged:
                merged[row.key] = (f"{file_name}:{row.row}", row)
                continue
            first_at, first = merged[row.key]
            for name, value in row.values.items():
                old = first.values.get(name)
                if name == "source":
                    first.values[name] = merge_sources(old or "", value or "")
                elif name == "as_of":
                    first.values[name] = max(old or "", value or "")
                elif name in MERGED_LIST_FIELDS:
                    parts = [p for p in (old or "").split(";") + (value or "").split(";") if p]
                    first.values[name] = ";".join(dict.fromkeys(parts))
                elif value in ("", None):
                    continue
                elif old in ("", None):
                    first.values[name] = value
                elif old != value:
                    reader.problem(
                        file_name,
                        row.row,
                        name,
                        str(value),
                        _("Disagrees with %(first)s, which has %(old)r.")
                        % {"first": first_at, "old": old},
                    )
            first.kinds = sorted(set(first.kinds or []) | set(row.kinds or []))
            if row.parent_key and not first.parent_key:
                first.parent_key, first.has_parent = row.parent_key, True
    return [row for _at, row in merged.values()]


def _sync(
    report: LoadReport,
    label: str,
    model: type[models.Model],
    natural_key: tuple[str, ...],
    desired: list[dict[str, Any]],
) -> None:
    report.add(label, **sync_by_natural_key(model, natural_key, desired))


def _float(value: str) -> float | None:
    return float(value) if value else None


def load_dataset(name: str, *, progress: Callable[[str], None] | None = None) -> LoadReport:
    """Validate every file of the dataset, then load it in one transaction (or nothing)."""
    root = _dataset_root(name)
    reader = _Reader(root)
    step = progress or (lambda _label: None)
    report = LoadReport()

    meta = yaml.safe_load(root.joinpath("community.yaml").read_text(encoding="utf-8"))
    if meta.get("kind") not in CommunityKind.values:
        reader.problem(
            "community.yaml", 0, "kind", str(meta.get("kind")), _("Unknown community kind.")
        )

    org_dir = root.joinpath("organizations")
    org_tables = [
        (f"organizations/{p.name}", read_csv(p.read_bytes()))
        for p in sorted(org_dir.iterdir(), key=lambda p: p.name)
        if p.name.endswith(".csv")
    ]
    org_rows = _merge_organization_rows(reader, org_tables)
    org_keys = {r.key for r in org_rows}

    def org_ref(file: str, number: int, row: dict[str, str], column: str = "organization") -> bool:
        if row.get(column) not in org_keys:
            reader.problem(
                file, number, column, row.get(column, ""), _("No organisation has this key.")
            )
            return False
        return True

    hubs = reader.table(
        "hubs.csv",
        [
            "key",
            "number",
            "name_ja",
            "name_en",
            "tagline_ja",
            "tagline_en",
            "area_ja",
            "area_en",
            "lat",
            "lon",
            "source",
            "as_of",
        ],
    )
    hub_keys = {r["key"] for _n, r in hubs}
    domains = reader.table(
        "market_domains.csv", ["number", "key", "name_ja", "name_en", "source", "as_of"]
    )
    domain_numbers = {r["number"] for _n, r in domains}
    hub_functions = reader.table(
        "hub_functions.csv",
        ["hub", "organization", "function", "note_ja", "note_en", "source", "as_of"],
    )
    figures = reader.table(
        "hub_figures.csv",
        [
            "hub",
            "label_ja",
            "label_en",
            "value",
            "unit_ja",
            "unit_en",
            "period",
            "note_ja",
            "note_en",
            "source",
            "as_of",
        ],
        optional=True,
    )
    categories = reader.table(
        "council_categories.csv",
        ["key", "name_ja", "name_en", "expected_role_ja", "expected_role_en", "source", "as_of"],
    )
    category_keys = {r["key"] for _n, r in categories}
    council = reader.table(
        "council.csv",
        ["community", "organization", "role", "category", "number", "source", "as_of"],
    )
    org_domains = reader.table(
        "organization_market_domains.csv", ["organization", "domain", "source", "as_of"]
    )
    partnerships = reader.table(
        "partnerships.csv",
        [
            "organization",
            "partner_name_ja",
            "partner_name_en",
            "partner_country",
            "partner_organization",
            "note_ja",
            "note_en",
            "source",
            "as_of",
        ],
    )
    projects = reader.table(
        "national_projects.csv",
        [
            "key",
            "name_ja",
            "name_en",
            "programme_ja",
            "programme_en",
            "description_ja",
            "description_en",
            "market_domains",
            "source",
            "as_of",
        ],
    )
    project_keys = {r["key"] for _n, r in projects}
    participants = reader.table(
        "project_participants.csv", ["project", "organization", "lead", "source", "as_of"]
    )
    programmes = reader.table(
        "programmes.csv",
        [
            "key",
            "kind",
            "name_ja",
            "name_en",
            "agency",
            "description_ja",
            "description_en",
            "source",
            "as_of",
        ],
    )
    programme_keys = {r["key"] for _n, r in programmes}
    entries = reader.table(
        "programme_entries.csv",
        ["programme", "organization", "round", "detail_ja", "detail_en", "source", "as_of"],
    )

    for n, r in hub_functions:
        reader.require("hub_functions.csv", n, r, "hub", hub_keys)
        reader.require("hub_functions.csv", n, r, "function", HubFunction.values)
        org_ref("hub_functions.csv", n, r)
    for n, r in figures:
        reader.require("hub_figures.csv", n, r, "hub", hub_keys)
        try:
            float(r["value"])
        except ValueError:
            reader.problem("hub_figures.csv", n, "value", r["value"], _("Not a number."))
    for n, r in council:
        reader.require("council.csv", n, r, "community", [meta["key"]])
        reader.require("council.csv", n, r, "role", CouncilRole.values)
        if r["category"]:
            reader.require("council.csv", n, r, "category", category_keys)
        org_ref("council.csv", n, r)
    for n, r in org_domains:
        reader.require("organization_market_domains.csv", n, r, "domain", domain_numbers)
        org_ref("organization_market_domains.csv", n, r)
    for n, r in partnerships:
        org_ref("partnerships.csv", n, r)
        if r["partner_organization"]:
            org_ref("partnerships.csv", n, r, "partner_organization")
    for n, r in projects:
        for number in filter(None, r["market_domains"].split(";")):
            if number.strip() not in domain_numbers:
                reader.problem(
                    "national_projects.csv",
                    n,
                    "market_domains",
                    number,
                    _("Unknown market domain."),
                )
    for n, r in participants:
        reader.require("project_participants.csv", n, r, "project", project_keys)
        reader.require("project_participants.csv", n, r, "lead", ["true", "false"])
        org_ref("project_participants.csv", n, r)
    for n, r in programmes:
        reader.require("programmes.csv", n, r, "kind", ProgrammeKind.values)
    for n, r in entries:
        reader.require("programme_entries.csv", n, r, "programme", programme_keys)
        org_ref("programme_entries.csv", n, r)
    network = meta.get("network_organization")
    if network and network not in org_keys:
        reader.problem(
            "community.yaml", 0, "network_organization", network, _("No organisation has this key.")
        )
    if reader.problems:
        raise DatasetError(reader.problems)

    # Search texts carry the labels of the links loaded below: recomputed once for every
    # organisation at the end (only changed ones written), which also brings an installation
    # loaded before the directory searched kinds and programmes up to date.
    with transaction.atomic(), search_texts_deferred():
        step(_("organisations"))
        created, updated, unchanged = apply_organization_rows(
            org_rows,
            community=None,
            user=None,
            channel=f"dataset {name}",
            default_source=f"dataset {name}",
            default_as_of="",
        )
        report.add("organizations", created, updated, unchanged)
        orgs = dict(Organization.objects.values_list("key", "pk"))

        step(_("community and hubs"))
        _sync(
            report,
            "communities",
            Community,
            ("key",),
            [
                {
                    "key": meta["key"],
                    "name_ja": meta["name_ja"],
                    "name_en": meta["name_en"],
                    "short_name": meta.get("short_name", ""),
                    "kind": meta["kind"],
                    "description_ja": meta.get("description_ja", "").strip(),
                    "description_en": meta.get("description_en", "").strip(),
                    "centre_lat": float(meta["centre"]["lat"]),
                    "centre_lon": float(meta["centre"]["lon"]),
                    "radius_km": float(meta["radius_km"]),
                    "network_organization_id": orgs.get(network or ""),
                    "source": meta.get("source", ""),
                    "as_of": str(meta.get("as_of", "")),
                }
            ],
        )
        community = Community.objects.get(key=meta["key"])
        _sync(
            report,
            "hubs",
            Hub,
            ("community_id", "key"),
            [
                {
                    "community_id": community.pk,
                    "key": r["key"],
                    "number": int(r["number"]) if r["number"] else None,
                    "name_ja": r["name_ja"],
                    "name_en": r["name_en"],
                    "tagline_ja": r["tagline_ja"],
                    "tagline_en": r["tagline_en"],
                    "area_ja": r["area_ja"],
                    "area_en": r["area_en"],
                    "lat": _float(r["lat"]),
                    "lon": _float(r["lon"]),
                    "source": r["source"],
                    "as_of": r["as_of"],
                }
                for _n, r in hubs
            ],
        )
        hub_ids = dict(Hub.objects.filter(community=community).values_list("key", "pk"))
        step(_("hub functions and figures"))
        _sync(
            report,
            "hub_memberships",
            HubMembership,
            ("hub_id", "organization_id", "function"),
            [
                {
                    "hub_id": hub_ids[r["hub"]],
                    "organization_id": orgs[r["organization"]],
                    "function": r["function"],
                    "note_ja": r["note_ja"],
                    "note_en": r["note_en"],
                    "source": r["source"],
                    "as_of": r["as_of"],
                }
                for _n, r in hub_functions
            ],
        )
        _sync(
            report,
            "hub_figures",
            HubFigure,
            ("hub_id", "label_ja", "period"),
            [
                {
                    "hub_id": hub_ids[r["hub"]],
                    "label_ja": r["label_ja"],
                    "label_en": r["label_en"],
                    "value": _decimal(r["value"]),
                    "unit_ja": r["unit_ja"],
                    "unit_en": r["unit_en"],
                    "period": r["period"],
                    "note_ja": r["note_ja"],
                    "note_en": r["note_en"],
                    "source": r["source"],
                    "as_of": r["as_of"],
                }
                for _n, r in figures
            ],
        )
        step(_("market domains"))
        _sync(
            report,
            "market_domains",
            MarketDomain,
            ("number",),
            [
                {
                    "number": int(r["number"]),
                    "key": r["key"],
                    "name_ja": r["name_ja"],
                    "name_en": r["name_en"],
                    "source": r["source"],
                    "as_of": r["as_of"],
                }
                for _n, r in domains
            ],
        )
        domain_ids = dict(MarketDomain.objects.values_list("number", "pk"))
        _sync(
            report,
            "organization_market_domains",
            OrganizationMarketDomain,
            ("organization_id", "domain_id"),
            [
                {
                    "organization_id": orgs[r["organization"]],
                    "domain_id": domain_ids[int(r["domain"])],
                    "source": r["source"],
                    "as_of": r["as_of"],
                }
                for _n, r in org_domains
            ],
        )
        step(_("council"))
        _sync(
            report,
            "council_categories",
            CouncilCategory,
            ("community_id", "key"),
            [
                {
                    "community_id": community.pk,
                    "key": r["key"],
                    "name_ja": r["name_ja"],
                    "name_en": r["name_en"],
                    "expected_role_ja": r["expected_role_ja"],
                    "expected_role_en": r["expected_role_en"],
                    "source": r["source"],
                    "as_of": r["as_of"],
                }
                for _n, r in categories
            ],
        )
        category_ids = dict(
            CouncilCategory.objects.filter(community=community).values_list("key", "pk")
        )
        _sync(
            report,
            "council_seats",
            CouncilSeat,
            ("community_id", "organization_id", "role"),
            [
                {
                    "community_id": community.pk,
                    "organization_id": orgs[r["organization"]],
                    "role": r["role"],
                    "category_id": category_ids.get(r["category"]),
                    "number": r["number"],
                    "source": r["source"],
                    "as_of": r["as_of"],
                }
                for _n, r in council
            ],
        )
        step(_("partnerships and projects"))
        _sync(
            report,
            "partnerships",
            Partnership,
            ("organization_id", "partner_name_ja"),
            [
                {
                    "organization_id": orgs[r["organization"]],
                    "partner_name_ja": r["partner_name_ja"],
                    "partner_name_en": r["partner_name_en"],
                    "partner_country": r["partner_country"],
                    "partner_organization_id": orgs.get(r["partner_organization"])
                    if r["partner_organization"]
                    else None,
                    "note_ja": r["note_ja"],
                    "note_en": r["note_en"],
                    "source": r["source"],
                    "as_of": r["as_of"],
                }
                for _n, r in partnerships
            ],
        )
        _sync(
            report,
            "national_projects",
            NationalProject,
            ("key",),
            [
                {
                    k: r[k]
                    for k in (
                        "key",
                        "name_ja",
                        "name_en",
                        "programme_ja",
                        "programme_en",
                        "description_ja",
                        "description_en",
                        "source",
                        "as_of",
                    )
                }
                for _n, r in projects
            ],
        )
        for _n, r in projects:
            project = NationalProject.objects.get(key=r["key"])
            wanted = {domain_ids[int(x)] for x in r["market_domains"].split(";") if x.strip()}
            if set(project.market_domains.values_list("pk", flat=True)) != wanted:
                project.market_domains.set(wanted)
        project_ids = dict(NationalProject.objects.values_list("key", "pk"))
        _sync(
            report,
            "project_participants",
            ProjectParticipation,
            ("project_id", "organization_id"),
            [
                {
                    "project_id": project_ids[r["project"]],
                    "organization_id": orgs[r["organization"]],
                    "lead": r["lead"] == "true",
                    "source": r["source"],
                    "as_of": r["as_of"],
                }
                for _n, r in participants
            ],
        )
        step(_("programmes"))
        _sync(
            report,
            "programmes",
            Programme,
            ("key",),
            [
                {
                    k: r[k]
                    for k in (
                        "key",
                        "kind",
                        "name_ja",
                        "name_en",
                        "agency",
                        "description_ja",
                        "description_en",
                        "source",
                        "as_of",
                    )
                }
                for _n, r in programmes
            ],
        )
        programme_ids = dict(Programme.objects.values_list("key", "pk"))
        _sync(
            report,
            "programme_entries",
            ProgrammeEntry,
            ("programme_id", "organization_id", "round", "detail_ja"),
            [
                {
                    "programme_id": programme_ids[r["programme"]],
                    "organization_id": orgs[r["organization"]],
                    "round": r["round"],
                    "detail_ja": r["detail_ja"],
                    "detail_en": r["detail_en"],
                    "source": r["source"],
                    "as_of": r["as_of"],
                }
                for _n, r in entries
            ],
        )
    return report


def _decimal(value: str) -> Any:
    from decimal import Decimal

    return Decimal(value).quantize(Decimal("0.0001"))


__all__ = ["DatasetError", "LoadReport", "available_datasets", "load_dataset"]
