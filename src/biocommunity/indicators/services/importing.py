"""Import observations from the secretariat's spreadsheets: every row or none."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from biocommunity.core.changelog import build_record, diff, snapshot
from biocommunity.core.models import ChangeAction, ChangeRecord
from biocommunity.core.provenance import is_partial_date
from biocommunity.core.spreadsheets import append_xlsx, neutralise_row
from biocommunity.core.templatetags.bilingual import pick
from biocommunity.indicators.choices import NUMERIC_KINDS, Unit, ValueKind
from biocommunity.indicators.models import Indicator, Kpi, Observation, Subject
from biocommunity.indicators.services.loading import OBSERVATION_COLUMNS
from biocommunity.registry.models import ImportRun
from biocommunity.registry.services import permissions
from biocommunity.registry.services.organizations import ImportReport
from biocommunity.registry.services.tabular import (
    DryRunRollback,
    ImportFailed,
    RowError,
    check_headers,
    read_table,
)

COLUMNS = OBSERVATION_COLUMNS  # the shipped files' columns, so an export can come back in
REQUIRED = ["indicator", "subject", "value"]
TRACKED = COLUMNS[3:]  # everything but the (indicator, subject, period) key


def _number(text: str) -> Decimal:
    cleaned = text.replace(",", "").replace("，", "").strip()
    value = Decimal(cleaned)
    if not value.is_finite():
        raise InvalidOperation
    # Stored with six decimals; compare like with like so re-imports are "unchanged".
    return value.quantize(Decimal("0.000001"))


def import_observations(
    data: bytes,
    file_name: str,
    *,
    user: Any = None,
    dry_run: bool = False,
    check_permission: bool = True,
) -> ImportReport:
    """Create or update observations matched by (indicator, subject, period)."""
    if check_permission:
        permissions.require_secretariat(user)
    report = ImportReport(dry_run=dry_run)
    if len(data) > settings.BIOCOMMUNITY_IMPORT_MAX_BYTES:
        report.errors.append(RowError(0, "", file_name, _("The file is too large.")))
        return report
    try:
        table = read_table(data, file_name)
    except ImportFailed as exc:
        report.errors = exc.errors
        return report
    report.encoding, report.rows = table.encoding, len(table.rows)
    errors = report.errors
    errors += check_headers(table, known=COLUMNS, required=REQUIRED)
    if errors:
        return report

    indicators = {i.code: i for i in Indicator.objects.all()}
    subjects = {s.key: s for s in Subject.objects.all()}
    seen: dict[tuple[str, str, str], int] = {}
    rows: list[dict[str, Any]] = []
    for number, cells in table.rows:

        def error(
            column: str, message: str, row: int = number, cells: dict[str, str] = cells
        ) -> None:
            errors.append(RowError(row, column, cells.get(column, ""), message))

        indicator = indicators.get(cells["indicator"])
        if indicator is None:
            error("indicator", _("Unknown indicator."))
        subject = subjects.get(cells["subject"])
        if subject is None:
            error("subject", _("Unknown subject (region, hub, organisation …)."))
        kind = cells.get("value_kind") or ValueKind.EXACT
        if kind not in ValueKind.values:
            error(
                "value_kind", _("Write one of: %(known)s.") % {"known": ", ".join(ValueKind.values)}
            )
        value: Decimal | None = None
        if cells["value"]:
            try:
                value = _number(cells["value"])
            except (InvalidOperation, ValueError):
                error("value", _("Not a number."))
        elif kind in NUMERIC_KINDS:
            error("value", _("Empty: give a number, or set value_kind to missing or text."))
        unit = cells.get("unit") or (indicator.unit if indicator else "")
        if unit and unit not in Unit.values:
            error(
                "unit",
                _("Unknown unit. Known units: %(known)s.") % {"known": ", ".join(Unit.values)},
            )
        as_of = cells.get("as_of", "")
        if as_of and not is_partial_date(as_of):
            error("as_of", _("Not a date: write YYYY, YYYY-MM or YYYY-MM-DD."))
        key = (cells["indicator"], cells["subject"], cells.get("period", ""))
        if key in seen:
            error(
                "period",
                _("Duplicate: row %(row)s has the same indicator, subject and period.")
                % {"row": seen[key]},
            )
        seen[key] = number
        if indicator and subject:
            rows.append(
                {
                    "indicator": indicator,
                    "subject": subject,
                    "period": key[2],
                    "value": value,
                    "value_kind": kind,
                    "value_text": cells.get("value_text", ""),
                    "unit": unit,
                    "note_ja": cells.get("note_ja", ""),
                    "note_en": cells.get("note_en", ""),
                    "source": cells.get("source", ""),
                    "as_of": as_of,
                }
            )
    if errors:
        return report
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                user=user if getattr(user, "is_authenticated", False) else None,
                kind="observations",
                file_name=file_name[:255],
                sha256=hashlib.sha256(data).hexdigest(),
                rows=len(rows),
            )
            channel = f"import #{run.pk} {file_name}"[:200]
            existing = {
                (o.indicator_id, o.subject_id, o.period): o
                for o in Observation.objects.filter(
                    indicator__in={r["indicator"] for r in rows},
                    subject__in={r["subject"] for r in rows},
                )
            }
            records: list[ChangeRecord] = []
            for r in rows:
                obs = existing.get((r["indicator"].pk, r["subject"].pk, r["period"]))
                # Empty source/as_of cells keep what a stored value already says.
                r["source"] = r["source"] or (obs.source if obs else "") or run.citation
                r["as_of"] = r["as_of"] or (obs.as_of if obs else "") or date.today().isoformat()
                if obs is None:
                    obs = Observation.objects.create(**r)
                    report.created += 1
                    records.append(
                        build_record(
                            obs,
                            action=ChangeAction.CREATE,
                            user=user,
                            channel=channel,
                            changes={k: [None, v] for k, v in snapshot(obs, TRACKED).items()},
                        )
                    )
                    continue
                before = snapshot(obs, TRACKED)
                for field in TRACKED:
                    setattr(obs, field, r[field])
                changes = diff(before, snapshot(obs, TRACKED))
                if changes:
                    obs.save()
                    report.updated += 1
                    records.append(
                        build_record(
                            obs,
                            action=ChangeAction.UPDATE,
                            user=user,
                            channel=channel,
                            changes=changes,
                        )
                    )
                else:
                    report.unchanged += 1
            ChangeRecord.objects.bulk_create(records)
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


TEMPLATE_FORMATS = ("csv", "xlsx")


def append_values(sheet: Any, values: list[Any]) -> None:
    """Append one row of plain values, neutralised and typed as values (core/spreadsheets.py),
    so a cell a user opens is never a formula."""
    append_xlsx(sheet, values)


def example_observation() -> Observation | None:
    """A stored yearly observation of a KPI's indicator (else any stored observation): the
    template's example row, so importing the template unchanged changes nothing."""
    for kpi in Kpi.objects.filter(indicator__isnull=False, subject__isnull=False):
        found = (
            Observation.objects.filter(indicator=kpi.indicator, subject=kpi.subject)
            .select_related("indicator", "subject")
            .exclude(period="")
            .order_by("-period")
            .first()
        )
        if found:
            return found
    return Observation.objects.select_related("indicator", "subject").order_by("pk").first()


def template_rows() -> list[list[str]]:
    """The import's columns, then one example row in the exact form the import reads back."""
    rows = [list(COLUMNS)]
    example = example_observation()
    if example is not None:
        cells = {
            "indicator": example.indicator.code,
            "subject": example.subject.key,
            "period": example.period,
            "value": "" if example.value is None else f"{example.value.normalize():f}",
            "value_kind": example.value_kind,
            "value_text": example.value_text,
            "unit": example.unit,
            "note_ja": example.note_ja,
            "note_en": example.note_en,
            "source": example.source,
            "as_of": example.as_of,
        }
        rows.append([cells.get(c, "") for c in COLUMNS])
    return rows


def indicator_catalogue(language: str) -> list[dict[str, str]]:
    """Every indicator's code with its name and unit in ``language``: what the
    ``indicator`` column accepts."""
    units = dict(Unit.choices)
    return [
        {
            "code": i.code,
            "name": pick(i, "name", language),
            "unit": i.unit,
            "unit_label": str(units.get(i.unit, i.unit)),
        }
        for i in Indicator.objects.order_by("code")
    ]


def import_template(fmt: str, language: str) -> bytes:
    """The observation import template: CSV (UTF-8 with BOM, for Excel) or XLSX, whose first
    sheet is the import itself and whose other sheets list the indicator and subject codes."""
    import csv
    import io

    rows = template_rows()
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\r\n").writerows(neutralise_row(r) for r in rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(f"unknown format {fmt!r}: use csv or xlsx")
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "observations"
    for values in rows:
        append_values(sheet, list(values))
    with translation.override(language):
        codes = workbook.create_sheet(_("Indicators")[:31])
        append_values(codes, [_("Code"), _("Name"), _("Unit code"), _("Unit")])
        for item in indicator_catalogue(language):
            append_values(codes, [item["code"], item["name"], item["unit"], item["unit_label"]])
        subjects = workbook.create_sheet(_("Subjects")[:31])
        append_values(subjects, [_("Code"), _("Name"), _("Kind")])
        for subject in Subject.objects.order_by("kind", "key"):
            append_values(
                subjects, [subject.key, pick(subject, "name", language), subject.get_kind_display()]
            )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
