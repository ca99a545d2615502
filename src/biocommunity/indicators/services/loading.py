"""Load the figures shipped with a dataset (``indicators/data/<name>/``): strict, idempotent."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml
from django.db import transaction
from django.utils.text import slugify

from biocommunity.core.provenance import is_partial_date
from biocommunity.core.syncing import sync_by_natural_key
from biocommunity.indicators.choices import (
    NUMERIC_KINDS,
    FactorGroup,
    SubjectKind,
    Unit,
    ValueKind,
)
from biocommunity.indicators.models import (
    ExchangeRate,
    Goal,
    Indicator,
    Kpi,
    Observation,
    Plan,
    SalesByIndustry,
    Subject,
)
from biocommunity.registry.services.tabular import read_csv

INDICATOR_COLUMNS = [
    "code",
    "name_ja",
    "name_en",
    "unit",
    "factor_group",
    "higher_is_better",
    "definition_ja",
    "definition_en",
    "source",
]
SUBJECT_COLUMNS = ["key", "kind", "name_ja", "name_en", "country", "parent", "source"]
OBSERVATION_COLUMNS = [
    "indicator",
    "subject",
    "period",
    "value",
    "value_kind",
    "value_text",
    "unit",
    "note_ja",
    "note_en",
    "source",
    "as_of",
]
SALES_COLUMNS = [
    "scope",
    "industry_ja",
    "industry_en",
    "listed_count",
    "unlisted_count",
    "undisclosed_count",
    "total_count",
    "sales",
    "unit",
    "note_ja",
    "note_en",
    "source",
    "as_of",
    "listed_sales",
    "unlisted_sales",
]
RANKING_COLUMNS = [
    "rank",
    "ecosystem_en",
    "ecosystem_ja",
    "performance",
    "funding",
    "knowledge",
    "talent",
    "infrastructure",
    "policy",
    "source",
    "as_of",
]
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class FiguresError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def figures_root(name: str) -> Traversable | None:
    root = resources.files("biocommunity.indicators").joinpath("data").joinpath(name)
    return root if root.is_dir() else None


def _files(root: Traversable, stem: str) -> list[Traversable]:
    """``stem.csv`` and any ``stem_<part>.csv`` (figures split by seed document)."""
    return sorted(
        (
            p
            for p in root.iterdir()
            if p.name == f"{stem}.csv" or re.fullmatch(rf"{stem}_[\w-]+\.csv", p.name)
        ),
        key=lambda p: p.name,
    )


def _decimal(text: str) -> Decimal | None:
    if text == "":
        return None
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {text!r}") from exc


def _count(text: str) -> int | None:
    return None if text == "" else int(text)


def load_figures(name: str) -> dict[str, dict[str, int]]:
    """Validate every figures file of the dataset, then create or update (never half-load)."""
    root = figures_root(name)
    if root is None:
        return {}
    problems: list[str] = []

    def table(path: Traversable, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
        parsed = read_csv(path.read_bytes())
        if parsed.headers != columns:
            problems.append(f"{path.name}: header must be {','.join(columns)}")
            return []
        return parsed.rows

    indicators: dict[str, dict[str, Any]] = {}
    for path in _files(root, "indicators"):
        for n, r in table(path, INDICATOR_COLUMNS):
            where = f"{path.name}:{n}"
            if not SLUG.match(r["code"]):
                problems.append(f"{where} [code={r['code']!r}]: not a slug")
            if r["unit"] and r["unit"] not in Unit.values:
                problems.append(f"{where} [unit={r['unit']!r}]: unknown unit")
            if r["factor_group"] not in FactorGroup.values:
                problems.append(
                    f"{where} [factor_group={r['factor_group']!r}]: unknown factor group"
                )
            if r["higher_is_better"] not in ("true", "false"):
                problems.append(f"{where} [higher_is_better]: write true or false")
            record = {**r, "higher_is_better": r["higher_is_better"] == "true"}
            if r["code"] in indicators and indicators[r["code"]] != record:
                problems.append(
                    f"{where} [code={r['code']!r}]: defined differently in another file"
                )
            indicators[r["code"]] = record

    subjects: dict[str, dict[str, str]] = {}
    for path in _files(root, "subjects"):
        for n, r in table(path, SUBJECT_COLUMNS):
            where = f"{path.name}:{n}"
            if r["kind"] not in SubjectKind.values:
                problems.append(f"{where} [kind={r['kind']!r}]: unknown subject kind")
            if r["key"] in subjects and subjects[r["key"]]["kind"] != r["kind"]:
                problems.append(f"{where} [key={r['key']!r}]: kind differs from another file")
            subjects.setdefault(r["key"], r)
    for key, r in subjects.items():
        if r["parent"] and r["parent"] not in subjects:
            problems.append(f"subjects [{key}]: unknown parent {r['parent']!r}")

    observations: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path in _files(root, "observations"):
        for n, r in table(path, OBSERVATION_COLUMNS):
            where = f"{path.name}:{n}"
            if r["indicator"] not in indicators:
                problems.append(f"{where} [indicator={r['indicator']!r}]: unknown indicator")
            if r["subject"] not in subjects:
                problems.append(f"{where} [subject={r['subject']!r}]: unknown subject")
            if r["value_kind"] not in ValueKind.values:
                problems.append(f"{where} [value_kind={r['value_kind']!r}]: unknown value kind")
            if r["unit"] and r["unit"] not in Unit.values:
                problems.append(f"{where} [unit={r['unit']!r}]: unknown unit")
            if r["as_of"] and not is_partial_date(r["as_of"]):
                problems.append(f"{where} [as_of={r['as_of']!r}]: not a date")
            try:
                value = _decimal(r["value"])
            except ValueError as exc:
                problems.append(f"{where} [value]: {exc}")
                continue
            if r["value_kind"] in NUMERIC_KINDS and value is None:
                problems.append(f"{where} [value]: a {r['value_kind']} value needs a number")
            obs_key = (r["indicator"], r["subject"], r["period"])
            if obs_key in observations:
                problems.append(f"{where}: a second value for {obs_key}")
            observations[obs_key] = {**r, "value": value}

    ranking_path = root.joinpath("startup_genome_2021.csv")
    if ranking_path.is_file():
        # The ranking is shipped as printed; each cell becomes an observation of its ecosystem.
        for n, r in table(ranking_path, RANKING_COLUMNS):
            subject = "ecosystem-" + slugify(r["ecosystem_en"])
            if subject not in subjects:
                problems.append(
                    f"{ranking_path.name}:{n} [ecosystem_en={r['ecosystem_en']!r}]: "
                    f"no subject {subject!r}"
                )
                continue
            for column in [*RANKING_COLUMNS[3:9], "rank"]:
                code = f"sg-ls-{column}"
                if code not in indicators:
                    problems.append(f"{ranking_path.name}: indicator {code!r} is not defined")
                    continue
                try:
                    value = _decimal(r[column])
                except ValueError as exc:
                    problems.append(f"{ranking_path.name}:{n} [{column}]: {exc}")
                    continue
                observations[(code, subject, "2021")] = {
                    "indicator": code,
                    "subject": subject,
                    "period": "2021",
                    "value": value,
                    "value_kind": "exact" if value is not None else "missing",
                    "value_text": "",
                    "unit": indicators[code]["unit"],
                    "note_ja": "",
                    "note_en": "",
                    "source": r["source"],
                    "as_of": r["as_of"],
                }

    sales: list[dict[str, Any]] = []
    sales_path = root.joinpath("sales_by_industry.csv")
    if sales_path.is_file():
        positions: dict[str, int] = {}
        for n, r in table(sales_path, SALES_COLUMNS):
            try:
                positions[r["scope"]] = positions.get(r["scope"], 0) + 1
                sales.append(
                    {
                        "scope": r["scope"],
                        "position": positions[r["scope"]],
                        "industry_ja": r["industry_ja"],
                        "industry_en": r["industry_en"],
                        "listed_count": _count(r["listed_count"]),
                        "unlisted_count": _count(r["unlisted_count"]),
                        "undisclosed_count": _count(r["undisclosed_count"]),
                        "total_count": _count(r["total_count"]),
                        "listed_sales": _decimal(r["listed_sales"]),
                        "unlisted_sales": _decimal(r["unlisted_sales"]),
                        "sales": _decimal(r["sales"]),
                        "unit": r["unit"],
                        "note_ja": r["note_ja"],
                        "note_en": r["note_en"],
                        "source": r["source"],
                        "as_of": r["as_of"],
                    }
                )
            except ValueError as exc:
                problems.append(f"sales_by_industry.csv:{n}: {exc}")

    kpis: list[dict[str, Any]] = []
    kpi_path = root.joinpath("kpis.yaml")
    if kpi_path.is_file():
        for i, entry in enumerate(
            yaml.safe_load(kpi_path.read_text(encoding="utf-8")) or [], start=1
        ):
            if entry.get("indicator") and entry["indicator"] not in indicators:
                problems.append(
                    f"kpis.yaml #{i} [indicator={entry['indicator']!r}]: unknown indicator"
                )
            kpis.append(entry)
    rates: list[dict[str, Any]] = []
    rates_path = root.joinpath("exchange_rates.csv")
    if rates_path.is_file():
        for n, r in table(
            rates_path, ["currency", "jpy_per_unit", "year", "source", "note_ja", "note_en"]
        ):
            try:
                rate = _decimal(r["jpy_per_unit"])
            except ValueError as exc:
                problems.append(f"exchange_rates.csv:{n}: {exc}")
                continue
            if not re.fullmatch(r"[A-Z]{3}", r["currency"]) or rate is None or rate <= 0:
                problems.append(
                    f"exchange_rates.csv:{n}: needs a currency code and a positive rate"
                )
                continue
            rates.append({**r, "jpy_per_unit": rate})
    plan: dict[str, Any] | None = None
    plan_path = root.joinpath("plan.yaml")
    if plan_path.is_file():
        plan = yaml.safe_load(plan_path.read_text(encoding="utf-8"))
        kpi_codes = {k["code"] for k in kpis}
        for goal in plan.get("goals", []):
            for code in goal.get("kpis", []):
                if code not in kpi_codes:
                    problems.append(f"plan.yaml goal {goal.get('key')!r}: unknown KPI {code!r}")
    if problems:
        raise FiguresError(problems)

    counts: dict[str, dict[str, int]] = {}
    with transaction.atomic():
        counts["indicators"] = sync_by_natural_key(Indicator, ("code",), list(indicators.values()))
        counts["subjects"] = sync_by_natural_key(
            Subject,
            ("key",),
            [
                {k: r[k] for k in ("key", "kind", "name_ja", "name_en", "country", "source")}
                for r in subjects.values()
            ],
        )
        subject_ids = dict(Subject.objects.values_list("key", "pk"))
        for key, r in subjects.items():
            parent = subject_ids.get(r["parent"]) if r["parent"] else None
            Subject.objects.filter(pk=subject_ids[key]).exclude(parent_id=parent).update(
                parent_id=parent
            )
        indicator_ids = dict(Indicator.objects.values_list("code", "pk"))
        counts["observations"] = sync_by_natural_key(
            Observation,
            ("indicator_id", "subject_id", "period"),
            [
                {
                    "indicator_id": indicator_ids[r["indicator"]],
                    "subject_id": subject_ids[r["subject"]],
                    "period": r["period"],
                    "value": r["value"],
                    "value_kind": r["value_kind"],
                    "value_text": r["value_text"],
                    "unit": r["unit"],
                    "note_ja": r["note_ja"],
                    "note_en": r["note_en"],
                    "source": r["source"],
                    "as_of": r["as_of"],
                }
                for r in observations.values()
            ],
        )
        counts["exchange_rates"] = sync_by_natural_key(ExchangeRate, ("currency", "year"), rates)
        counts["sales_by_industry"] = sync_by_natural_key(
            SalesByIndustry, ("scope", "industry_ja"), sales
        )
        counts["kpis"] = sync_by_natural_key(
            Kpi,
            ("code",),
            [
                {
                    "code": k["code"],
                    "name_ja": k["name_ja"],
                    "name_en": k["name_en"],
                    "indicator_id": indicator_ids.get(k.get("indicator", "")),
                    "subject_id": subject_ids.get(k.get("subject", "gtb")),
                    "unit": k.get("unit", ""),
                    "baseline_value": _yaml_decimal(k.get("baseline", {}).get("value")),
                    "baseline_year": k.get("baseline", {}).get("year"),
                    "target_value": _yaml_decimal(k.get("target", {}).get("value")),
                    "target_year": k.get("target", {}).get("year"),
                    "band_low": _yaml_decimal(k.get("band", {}).get("low")),
                    "band_high": _yaml_decimal(k.get("band", {}).get("high")),
                    "note_ja": (k.get("note_ja") or "").strip(),
                    "note_en": (k.get("note_en") or "").strip(),
                    "source": k.get("source", ""),
                    "as_of": str(k.get("as_of", "")),
                }
                for k in kpis
            ],
        )
        if plan is not None:
            counts["plans"], counts["goals"] = _load_plan(plan)
    return counts


def _load_plan(plan: dict[str, Any]) -> tuple[dict[str, int], dict[str, int]]:
    from biocommunity.registry.models import Community

    community = Community.objects.filter(key=plan.get("community", "")).first()
    plan_counts = sync_by_natural_key(
        Plan,
        ("key",),
        [
            {
                "key": plan["key"],
                "community_id": community.pk if community else None,
                "name_ja": plan["name_ja"],
                "name_en": plan["name_en"],
                "source": plan.get("source", ""),
                "as_of": str(plan.get("as_of", "")),
            }
        ],
    )
    plan_obj = Plan.objects.get(key=plan["key"])
    goals = plan.get("goals", [])
    goal_counts = sync_by_natural_key(
        Goal,
        ("plan_id", "key"),
        [
            {
                "plan_id": plan_obj.pk,
                "key": g["key"],
                "position": i,
                "name_ja": g["name_ja"],
                "name_en": g["name_en"],
                "note_ja": g.get("note_ja", ""),
                "note_en": g.get("note_en", ""),
            }
            for i, g in enumerate(goals)
        ],
    )
    for g in goals:
        goal = Goal.objects.get(plan=plan_obj, key=g["key"])
        Kpi.objects.filter(code__in=g.get("kpis", [])).exclude(goal=goal).update(goal=goal)
    return plan_counts, goal_counts


def _yaml_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
