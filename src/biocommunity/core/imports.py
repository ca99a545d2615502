"""The upload page every app's spreadsheet import shares: form, dry run, row-level report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from biocommunity.core.forms import ImportForm

# importer(data, file_name, *, user, dry_run) -> a report with ``ok`` and ``errors``
Importer = Callable[..., Any]


def import_view(
    request: HttpRequest, importer: Importer, template: str, context: dict[str, Any] | None = None
) -> HttpResponse:
    """Validate the upload, run the importer (which checks permissions), answer 400 on errors."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = importer(
                upload.read(), upload.name, user=request.user, dry_run=form.cleaned_data["dry_run"]
            )
            status = 200 if report.ok else 400
        else:
            status = 400
    return render(
        request, template, {**(context or {}), "form": form, "report": report}, status=status
    )
