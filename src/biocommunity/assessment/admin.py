"""Certification in the admin: read-only. Every change goes through the workflow pages, so each
step is checked (thresholds, conflicts of interest) and lands in the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from biocommunity.assessment import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["title_ja", "title_en", "rubric_code", "rubric_version", "status", "opens_on"]
    list_filter = ["status", "subject"]


@admin.register(models.Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["round", "organization", "community", "type_code", "status", "submitted_at"]
    list_filter = ["status", "round"]


@admin.register(models.Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "reviewer", "status", "recommended_level", "submitted_at"]
    list_filter = ["status"]


@admin.register(models.Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "organization", "community", "level_code", "valid_to"]
    list_filter = ["kind", "type_code", "level_code"]
    search_fields = ["number", "organization__name_ja", "organization__name_en"]


@admin.register(models.AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["time", "actor", "action", "round", "assessment", "certificate"]
    list_filter = ["action"]
