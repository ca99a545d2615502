"""The observation import template (CSV, XLSX) and the list of indicator codes on the page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from biocommunity.indicators.models import Indicator, Observation
from biocommunity.indicators.services.importing import (
    COLUMNS,
    import_observations,
    import_template,
)
from tests.conftest import assert_status, login
from tests.factories import UserFactory, secretariat_user

pytestmark = pytest.mark.django_db


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # Excel opens UTF-8 only with the BOM
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_template_has_the_import_columns_and_a_stored_example_that_changes_nothing(
    gtb: Any,
) -> None:
    data = import_template("csv", "ja")
    header, example, *rest = _csv_rows(data)
    assert header == COLUMNS and not rest
    row = dict(zip(header, example, strict=True))
    assert row["indicator"] == "member-company-sales" and row["period"] == "2020"
    assert Observation.objects.filter(
        indicator__code=row["indicator"], subject__key=row["subject"], period=row["period"]
    ).exists()
    before = Observation.objects.count()
    report = import_observations(data, "template.csv", user=secretariat_user())
    assert report.errors == [] and (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert Observation.objects.count() == before


@pytest.mark.parametrize(
    ("language", "sheet", "name"), [("en", "Indicators", "Population"), ("ja", "指標", "人口")]
)
def test_xlsx_template_reads_back_and_lists_every_indicator_code(
    gtb: Any, language: str, sheet: str, name: str
) -> None:
    data = import_template("xlsx", language)
    workbook = load_workbook(io.BytesIO(data))
    first = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(first[0]) == COLUMNS and len(first) == 2
    codes = list(workbook[sheet].iter_rows(values_only=True))
    assert {r[0] for r in codes[1:]} == set(Indicator.objects.values_list("code", flat=True))
    population = next(r for r in codes if r[0] == "population")
    assert population[1] == name
    cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    report = import_observations(data, "template.xlsx", user=secretariat_user(), dry_run=True)
    assert report.errors == [] and report.unchanged == 1


def test_template_without_any_observation_is_the_header_alone(db: Any) -> None:
    assert _csv_rows(import_template("csv", "en")) == [COLUMNS]
    with pytest.raises(ValueError, match="csv or xlsx"):
        import_template("json", "en")


@pytest.mark.parametrize(("language", "unit"), [("en", "trillion yen"), ("ja", "兆円")])
def test_import_page_offers_the_templates_and_lists_codes_names_and_units(
    gtb: Any, client: Client, language: str, unit: str
) -> None:
    login(client, secretariat_user())
    response = client.get(f"/{language}/figures/import/")
    assert_status(response, 200)
    content = response.content.decode()
    assert f'href="/{language}/figures/import/observations-template.csv"' in content
    assert f'href="/{language}/figures/import/observations-template.xlsx"' in content
    assert "<code>member-company-sales</code>" in content and unit in content
    assert content.count("<tr><td><code>") == Indicator.objects.count()
    for fmt in ("csv", "xlsx"):
        download = client.get(f"/{language}/figures/import/observations-template.{fmt}")
        assert_status(download, 200)
        assert f'observations-template.{fmt}"' in download["Content-Disposition"]
    assert client.get(f"/{language}/figures/import/observations-template.pdf").status_code == 404


def test_only_the_secretariat_gets_the_template(gtb: Any, client: Client) -> None:
    url = "/en/figures/import/observations-template.csv"
    assert client.get(url).status_code == 302
    login(client, UserFactory())
    assert client.get(url).status_code == 403
