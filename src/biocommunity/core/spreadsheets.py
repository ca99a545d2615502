"""The one rule for spreadsheet cells leaving and entering the platform, and the import limits.

Exports neutralise text a spreadsheet would evaluate (OWASP "CSV injection"): a cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe,
so Excel, LibreOffice and Google Sheets show it as text. A plain number such as ``-5`` or
``+1.5`` is left alone: spreadsheets read it as a number, which evaluates nothing. Text that
already starts with apostrophes followed by one of those characters gets one more, so the
importers' undoing (strip one apostrophe in front of ``'*[=+-@\\t\\r]``) gives back exactly
what was exported: export → import → export is identical.

XLSX cells are always written as values (strings typed as strings), never formulas.

Imports are bounded before the whole file is read: rows, columns, characters in a cell, and
for XLSX the uncompressed size and compression ratio of the zip members (a zip bomb is
refused from the archive's directory, without inflating anything).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Already-neutralised text ('=x) and text that merely looks neutralised ('''=x) alike.
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """The value as an export writes it: non-text as it is, formula-like text behind an
    apostrophe (see the module's rule)."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in TRIGGERS:
        if _PLAIN_NUMBER.fullmatch(value):
            return value
        return "'" + value
    if _NEUTRALISED.match(value):
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo :func:`neutralise` on a cell an import read: exactly one apostrophe less."""
    if value and _NEUTRALISED.match(value):
        return value[1:]
    return value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in values]


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """Cells for ``sheet.append`` (write-only or normal workbook): neutralised, and every
    string typed as a string, so openpyxl never stores one as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cells: list[Any] = []
    for value in values:
        value = "" if value is None else neutralise(value)
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=None)
            cell.value = value
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def append_xlsx(sheet: Any, values: Iterable[Any]) -> None:
    """Append one neutralised, formula-free row to an openpyxl sheet."""
    sheet.append(xlsx_row(sheet, values))


@dataclass(frozen=True)
class ImportLimits:
    """What an import reads at most; each refusal names its setting."""

    max_rows: int
    max_columns: int
    max_cell_chars: int
    max_uncompressed_bytes: int
    max_compression_ratio: int

    @classmethod
    def current(cls) -> ImportLimits:
        return cls(
            max_rows=settings.BIOCOMMUNITY_IMPORT_MAX_ROWS,
            max_columns=settings.BIOCOMMUNITY_IMPORT_MAX_COLUMNS,
            max_cell_chars=settings.BIOCOMMUNITY_IMPORT_MAX_CELL_CHARS,
            max_uncompressed_bytes=settings.BIOCOMMUNITY_IMPORT_MAX_UNCOMPRESSED_BYTES,
            max_compression_ratio=settings.BIOCOMMUNITY_IMPORT_MAX_COMPRESSION_RATIO,
        )


class LimitExceeded(Exception):
    """A file over one of the import limits; the message names the limit and its setting."""


def too_many_rows(limits: ImportLimits) -> LimitExceeded:
    return LimitExceeded(
        _(
            "The file has more than %(limit)s data rows, the most an import reads "
            "(setting BIOCOMMUNITY_IMPORT_MAX_ROWS). Split it into smaller files."
        )
        % {"limit": f"{limits.max_rows:,}"}
    )


def too_many_columns(found: int | None, limits: ImportLimits) -> LimitExceeded:
    """``found`` is None where only "more than the limit" is known (a sheet read no wider)."""
    if found is None:
        return LimitExceeded(
            _(
                "The file has more than %(limit)s columns, the most an import reads "
                "(setting BIOCOMMUNITY_IMPORT_MAX_COLUMNS)."
            )
            % {"limit": f"{limits.max_columns:,}"}
        )
    return LimitExceeded(
        _(
            "The file has %(found)s columns; an import reads at most %(limit)s "
            "(setting BIOCOMMUNITY_IMPORT_MAX_COLUMNS)."
        )
        % {"found": f"{found:,}", "limit": f"{limits.max_columns:,}"}
    )


def check_cell(value: str, limits: ImportLimits) -> None:
    if len(value) > limits.max_cell_chars:
        raise LimitExceeded(
            _(
                "A cell holds %(found)s characters; an import reads at most %(limit)s in one "
                "cell (setting BIOCOMMUNITY_IMPORT_MAX_CELL_CHARS)."
            )
            % {"found": f"{len(value):,}", "limit": f"{limits.max_cell_chars:,}"}
        )


def check_xlsx_archive(data: bytes, limits: ImportLimits) -> None:
    """Refuse a zip bomb from the archive's directory alone: the declared uncompressed sizes
    (which ``zipfile`` never reads past) in total, and each large member's compression ratio
    (Apache POI refuses ratios over 100 the same way; real sheets compress about 5–30 times)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return  # openpyxl's own message says the file is not a workbook
    with archive:
        members = archive.infolist()
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed_bytes:
        raise LimitExceeded(
            _(
                "The workbook unpacks to %(found)s MiB; an import reads at most %(limit)s MiB "
                "(setting BIOCOMMUNITY_IMPORT_MAX_UNCOMPRESSED_BYTES)."
            )
            % {
                "found": f"{total / 2**20:,.1f}",
                "limit": f"{limits.max_uncompressed_bytes / 2**20:,.1f}",
            }
        )
    for member in members:
        if member.file_size < 2**20:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.max_compression_ratio:
            raise LimitExceeded(
                _(
                    "The workbook part %(part)s is compressed %(found)s times, more than the "
                    "%(limit)s times a real spreadsheet is (setting "
                    "BIOCOMMUNITY_IMPORT_MAX_COMPRESSION_RATIO): refused as a zip bomb."
                )
                % {
                    "part": member.filename,
                    "found": f"{ratio:,.0f}",
                    "limit": limits.max_compression_ratio,
                }
            )


def check_dimension(max_row: int | None, max_column: int | None, limits: ImportLimits) -> None:
    """The sheet's declared dimension (``<dimension ref="A1:XFD1048576"/>``), checked before
    any row is read; rows are counted again while reading, since a declaration can lie."""
    if max_column is not None and max_column > limits.max_columns:
        raise too_many_columns(max_column, limits)
    if max_row is not None and max_row - 1 > limits.max_rows:
        raise too_many_rows(limits)
