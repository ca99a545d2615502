from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from biocommunity.registry.models import Organization
from biocommunity.registry.services.organizations import PROFILE_FIELDS


class OrganizationProfileForm(forms.ModelForm):
    """What a member may change about its own organisation."""

    website = forms.URLField(
        label=Organization._meta.get_field("website").verbose_name,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = Organization
        fields = PROFILE_FIELDS
        widgets = {
            "description_ja": forms.Textarea(attrs={"rows": 5}),
            "description_en": forms.Textarea(attrs={"rows": 5}),
            "aliases": forms.TextInput(),
        }


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
