"""Matching in the admin: profiles may be corrected (every change is kept, and the search index
follows through the profile signals); introductions and saved searches belong to their
workflows and owners, so they are shown, never edited."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance

from biocommunity.core.admin import ChangeLoggedAdmin, ReadOnlyAdmin
from biocommunity.matching import models
from biocommunity.matching.services.profiles import check_profile


class ProfileAdminForm(forms.ModelForm):
    """The admin form applies the rules between fields that the pages and the import apply."""

    class Meta:
        model = models.Profile
        fields = "__all__"  # noqa: DJ007 (the admin decides which fields it shows)

    def clean(self) -> dict[str, Any]:
        super().clean()
        candidate = construct_instance(self, copy.copy(self.instance))
        try:
            check_profile(candidate)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return self.cleaned_data


@admin.register(models.Profile)
class ProfileAdmin(ChangeLoggedAdmin):
    form = ProfileAdminForm
    list_display = ["title_ja", "title_en", "kind", "organization", "visibility", "status"]
    list_filter = ["kind", "visibility", "status", "capability_type"]
    search_fields = ["title_ja", "title_en", "organization__name_ja", "organization__name_en"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["created_by"]


@admin.register(models.Introduction)
class IntroductionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "profile", "requester_organization", "status", "decided_at"]
    list_filter = ["status"]


@admin.register(models.SavedSearch)
class SavedSearchAdmin(ReadOnlyAdmin):
    list_display = ["user", "query", "kinds", "created_at"]


@admin.register(models.IntroductionForwarding)
class IntroductionForwardingAdmin(ReadOnlyAdmin):
    list_display = ["forwarded_at", "introduction", "forwarded_by"]
