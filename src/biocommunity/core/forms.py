"""Forms shared by every app's secretariat pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (CSV or XLSX)"),
        help_text=_("UTF-8 or Shift_JIS CSV, or an Excel workbook (first sheet)."),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (dry run): report what would change, change nothing"),
        required=False,
        initial=True,
    )
