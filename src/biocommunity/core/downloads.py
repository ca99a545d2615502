"""File downloads (open data, comparisons, fact sheets): one table of formats, one response."""

from __future__ import annotations

from django.http import HttpResponse

TABLE_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CONTENT_TYPES = {**TABLE_FORMATS, "pdf": "application/pdf"}


def attachment(body: bytes, file_name: str) -> HttpResponse:
    """A download named ``file_name``, typed by its extension."""
    response = HttpResponse(body, content_type=CONTENT_TYPES[file_name.rsplit(".", 1)[-1]])
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
