from __future__ import annotations

from django import forms

from biocommunity.core.forms import ImportForm
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


__all__ = ["ImportForm", "OrganizationProfileForm"]
