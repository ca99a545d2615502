"""Read the spreadsheets the secretariat keeps (CSV in UTF-8 or Shift_JIS, or XLSX)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from biocommunity.core.spreadsheets import (
    ImportLimits,
    LimitExceeded,
    check_cell,
    check_dimension,
    check_xlsx_archive,
    restore,
    too_many_columns,
    too_many_rows,
)


@dataclass(frozen=True)
class RowError:
    """One problem in one cell (row 1 is the header; column empty for whole-file problems)."""

    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class DryRunRollback(Exception):
    """Raised inside an import's transaction to undo a dry run after counting what it would do."""


def check_headers(table: Table, *, known: Iterable[str], required: Iterable[str]) -> list[RowError]:
    """Unknown, missing and repeated columns, each reported on row 1 (linear in the columns)."""
    allowed = list(known)
    allowed_set = set(allowed)
    present = set(table.headers)
    counts = Counter(table.headers)
    errors = [
        RowError(
            1,
            header,
            header,
            _("Unknown column '%(column)s'. Known columns: %(known)s.")
            % {"column": header, "known": ", ".join(allowed)},
        )
        for header in table.headers
        if header not in allowed_set
    ]
    errors += [
        RowError(1, name, "", _("Required column '%(column)s' is missing.") % {"column": name})
        for name in required
        if name not in present
    ]
    errors += [
        RowError(1, header, header, _("Column '%(column)s' appears twice.") % {"column": header})
        for header in sorted(present)
        if counts[header] > 1
    ]
    return errors


class ImportFailed(Exception):
    """Raised with every problem found; nothing was changed."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = errors


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    encoding: str = "utf-8"


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # cp932 is Microsoft's Shift_JIS, what Excel writes for "CSV" on Japanese Windows.
        return data.decode("cp932"), "shift_jis"
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            [
                RowError(
                    0,
                    "",
                    "",
                    _(
                        "The file is neither UTF-8 nor Shift_JIS (byte %(position)s). "
                        "Save it as 'CSV UTF-8' and try again."
                    )
                    % {"position": exc.start},
                )
            ]
        ) from exc


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e6:
        return str(int(value))  # corporate numbers typed as numbers
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _clean_headers(raw: list[str]) -> list[str]:
    return [h.strip().lstrip("\ufeff").strip() for h in raw]


def _refused(exc: LimitExceeded, row: int = 0) -> ImportFailed:
    return ImportFailed([RowError(row, "", "", str(exc))])


def _text(value: str, limits: ImportLimits) -> str:
    """A cell as the import reads it: bounded, trimmed, the export's neutralisation undone."""
    check_cell(value, limits)
    return restore(value.strip())


def read_csv(data: bytes) -> Table:
    limits = ImportLimits.current()
    text, encoding = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration as exc:
        raise ImportFailed([RowError(0, "", "", _("The file is empty."))]) from exc
    except csv.Error as exc:
        raise ImportFailed([RowError(1, "", "", str(exc))]) from exc
    if len(header) > limits.max_columns:
        raise _refused(too_many_columns(len(header), limits), 1)
    try:
        headers = _clean_headers([_text(h, limits) for h in header])
    except LimitExceeded as exc:
        raise _refused(exc, 1) from exc
    table = Table(headers=headers, encoding=encoding)
    try:
        for values in reader:
            number = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(table.rows) >= limits.max_rows:
                raise _refused(too_many_rows(limits), number)
            if len(values) > len(headers):
                raise ImportFailed(
                    [
                        RowError(
                            number,
                            "",
                            "",
                            _("This row has %(found)s cells but the header has %(expected)s.")
                            % {"found": len(values), "expected": len(headers)},
                        )
                    ]
                )
            padded = [*values, *([""] * (len(headers) - len(values)))]
            try:
                cells = [_text(v, limits) for v in padded]
            except LimitExceeded as exc:
                raise _refused(exc, number) from exc
            table.rows.append((number, dict(zip(headers, cells, strict=True))))
    except csv.Error as exc:
        raise ImportFailed([RowError(reader.line_num, "", "", str(exc))]) from exc
    return table


def read_xlsx(data: bytes) -> Table:
    """The first sheet, streamed (openpyxl read-only); the archive's sizes and the sheet's
    declared dimension are checked first, rows and cells again while reading."""
    from openpyxl import load_workbook

    limits = ImportLimits.current()
    try:
        check_xlsx_archive(data, limits)
    except LimitExceeded as exc:
        raise _refused(exc) from exc
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFailed(
            [RowError(0, "", "", _("The file is not a readable XLSX workbook: %(e)s") % {"e": exc})]
        ) from exc
    try:
        return _read_sheet(workbook.worksheets[0], limits)
    except LimitExceeded as exc:
        raise _refused(exc) from exc
    finally:
        workbook.close()


def _read_sheet(sheet: Any, limits: ImportLimits) -> Table:
    check_dimension(sheet.max_row, sheet.max_column, limits)
    # Never more columns than the limit allows (plus one, to see a wider row): a sheet
    # without a declared dimension is read as wide as its rows really are.
    rows = sheet.iter_rows(values_only=True, max_col=limits.max_columns + 1)
    try:
        header = next(rows)
    except StopIteration as exc:
        raise ImportFailed([RowError(0, "", "", _("The first sheet is empty."))]) from exc
    headers = _clean_headers([_text(_cell(v), limits) for v in header])
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > limits.max_columns:
        raise too_many_columns(None, limits)
    table = Table(headers=headers, encoding="xlsx")
    for number, values in enumerate(rows, start=2):
        # Rows missing from the file come as one shared tuple of None: skip them at C speed,
        # so a lone cell at row 1,048,576 costs a million cheap steps, not 200 million.
        if values.count(None) == len(values):
            continue
        raw = [_cell(v) for v in values]
        if not any(raw):
            continue
        if len(raw) > limits.max_columns and raw[limits.max_columns]:
            # Only a sheet without an honest dimension gets here: it is wider than the limit.
            raise too_many_columns(None, limits)
        if len(table.rows) >= limits.max_rows:
            raise too_many_rows(limits)
        cells = [_text(v, limits) for v in raw]
        cells = (cells + [""] * len(headers))[: len(headers)]
        table.rows.append((number, dict(zip(headers, cells, strict=True))))
    return table


def read_table(data: bytes, file_name: str) -> Table:
    """Read by extension; raise ImportFailed with a clear message for anything else."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".csv" or suffix == ".txt":
        return read_csv(data)
    if suffix == ".xlsx":
        return read_xlsx(data)
    raise ImportFailed(
        [
            RowError(
                0,
                "",
                file_name,
                _("Unsupported file type '%(suffix)s': upload a .csv or .xlsx file.")
                % {"suffix": suffix or "?"},
            )
        ]
    )
