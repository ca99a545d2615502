"""Aggregate company-level sales into the 参考5 layout: by industry, listed / unlisted /
undisclosed, the community's subtotal beside the national total.

Rules: a company that does not disclose its sales is counted in ``undisclosed`` only and adds
nothing to the sums or to the other counts; all figures are in one unit (the records' unit).
The national columns count every record; the community columns only those inside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from biocommunity.indicators.models import CompanySales


@dataclass
class SalesCells:
    listed_count: int = 0
    unlisted_count: int = 0
    undisclosed_count: int = 0
    listed_sales: Decimal = Decimal(0)
    unlisted_sales: Decimal = Decimal(0)

    @property
    def total_count(self) -> int:
        return self.listed_count + self.unlisted_count

    @property
    def sales(self) -> Decimal:
        return self.listed_sales + self.unlisted_sales

    def add(self, other: SalesCells) -> None:
        self.listed_count += other.listed_count
        self.unlisted_count += other.unlisted_count
        self.undisclosed_count += other.undisclosed_count
        self.listed_sales += other.listed_sales
        self.unlisted_sales += other.unlisted_sales

    def as_dict(self) -> dict[str, Any]:
        return {
            "listed_count": self.listed_count,
            "unlisted_count": self.unlisted_count,
            "undisclosed_count": self.undisclosed_count,
            "total_count": self.total_count,
            "listed_sales": self.listed_sales,
            "unlisted_sales": self.unlisted_sales,
            "sales": self.sales,
        }


@dataclass
class SalesRow:
    industry_ja: str
    industry_en: str
    community: SalesCells = field(default_factory=SalesCells)
    nation: SalesCells = field(default_factory=SalesCells)

    @property
    def community_nation(self) -> tuple[SalesCells, SalesCells]:
        return self.community, self.nation


@dataclass
class SalesTable:
    unit: str
    rows: list[SalesRow]
    total: SalesRow

    def as_dict(self) -> dict[str, Any]:
        def row(r: SalesRow) -> dict[str, Any]:
            return {
                "industry_ja": r.industry_ja,
                "industry_en": r.industry_en,
                "community": r.community.as_dict(),
                "nation": r.nation.as_dict(),
            }

        return {"unit": self.unit, "rows": [row(r) for r in self.rows], "total": row(self.total)}


CENTS = Decimal("0.01")


def _sum(value: Any) -> Decimal:
    """SQLite adds decimals in floating point; round sums back to the stored two places."""
    return Decimal(value or 0).quantize(CENTS)


def _cells(values: Mapping[str, Any], prefix: str) -> SalesCells:
    return SalesCells(
        listed_count=values[f"{prefix}listed_n"] or 0,
        unlisted_count=values[f"{prefix}unlisted_n"] or 0,
        undisclosed_count=values[f"{prefix}undisclosed_n"] or 0,
        listed_sales=_sum(values[f"{prefix}listed_sum"]),
        unlisted_sales=_sum(values[f"{prefix}unlisted_sum"]),
    )


def aggregate_sales(records: QuerySet[CompanySales] | None = None) -> SalesTable:
    """One GROUP BY over the records; raise when they mix units (convert before aggregating)."""
    qs = records if records is not None else CompanySales.objects.all()
    units = list(qs.order_by().values_list("unit", flat=True).distinct()[:2])
    if len(units) > 1:
        raise ValueError(f"records mix units {units}: convert them to one unit first")
    disclosed = Q(disclosed=True)
    aggregates: dict[str, Any] = {}
    for prefix, scope in (("c_", Q(in_community=True)), ("n_", Q())):
        aggregates |= {
            f"{prefix}listed_n": Count("pk", filter=scope & disclosed & Q(listed=True)),
            f"{prefix}unlisted_n": Count("pk", filter=scope & disclosed & Q(listed=False)),
            f"{prefix}undisclosed_n": Count("pk", filter=scope & Q(disclosed=False)),
            f"{prefix}listed_sum": Sum("sales", filter=scope & disclosed & Q(listed=True)),
            f"{prefix}unlisted_sum": Sum("sales", filter=scope & disclosed & Q(listed=False)),
        }
    grouped = (
        qs.order_by()
        .values("industry_ja", "industry_en")
        .annotate(**aggregates)
        .order_by("industry_ja")
    )
    total = SalesRow("合計", "Total")
    rows = []
    for values in grouped:
        row = SalesRow(
            values["industry_ja"], values["industry_en"], _cells(values, "c_"), _cells(values, "n_")
        )
        total.community.add(row.community)
        total.nation.add(row.nation)
        rows.append(row)
    return SalesTable(unit=units[0] if units else "", rows=rows, total=total)
