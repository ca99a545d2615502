"""The 参考5 aggregation on organisation-level records, undisclosed companies included."""

from __future__ import annotations

from decimal import Decimal

import pytest

from biocommunity.indicators.models import CompanySales
from biocommunity.indicators.services.sales import aggregate_sales


def _record(
    name: str,
    industry: str,
    *,
    listed: bool,
    inside: bool,
    sales: int | None,
    disclosed: bool = True,
) -> CompanySales:
    return CompanySales.objects.create(
        company_name=name,
        industry_ja=industry,
        industry_en=industry,
        listed=listed,
        disclosed=disclosed,
        in_community=inside,
        sales=None if sales is None else Decimal(sales),
        fiscal_year="2021",
        source="test",
    )


@pytest.mark.django_db
def test_aggregation_by_industry_listed_unlisted_undisclosed_community_vs_nation() -> None:
    _record("A", "医薬品", listed=True, inside=True, sales=1000)
    _record("B", "医薬品", listed=True, inside=False, sales=500)
    _record("C", "医薬品", listed=False, inside=True, sales=30)
    _record("D", "医薬品", listed=False, inside=True, sales=None, disclosed=False)
    _record("E", "化学", listed=False, inside=False, sales=70)
    _record("F", "化学", listed=False, inside=False, sales=None, disclosed=False)

    table = aggregate_sales()
    rows = {r.industry_ja: r for r in table.rows}
    pharma = rows["医薬品"]
    assert pharma.community.as_dict() == {
        "listed_count": 1,
        "unlisted_count": 1,
        "undisclosed_count": 1,
        "total_count": 2,
        "listed_sales": Decimal(1000),
        "unlisted_sales": Decimal(30),
        "sales": Decimal(1030),
    }
    assert pharma.nation.total_count == 3 and pharma.nation.sales == Decimal(1530)
    chem = rows["化学"]
    assert chem.community.total_count == 0 and chem.community.undisclosed_count == 0
    assert chem.nation.unlisted_count == 1 and chem.nation.undisclosed_count == 1
    assert table.total.community.sales == Decimal(1030)
    assert table.total.nation.sales == Decimal(1600)
    assert table.total.nation.undisclosed_count == 2
    assert table.unit == "JPY-million"


@pytest.mark.django_db
def test_mixed_units_are_refused_and_no_records_give_an_empty_table() -> None:
    assert aggregate_sales().rows == []
    _record("A", "医薬品", listed=True, inside=True, sales=1)
    CompanySales.objects.create(
        company_name="B",
        industry_ja="医薬品",
        listed=True,
        in_community=True,
        sales=Decimal(1),
        unit="JPY-100m",
    )
    with pytest.raises(ValueError, match="mix units"):
        aggregate_sales()
