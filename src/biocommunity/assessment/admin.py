"""Certification in the admin: read-only. Every change goes through the workflow pages, so each
step is checked (thresholds, conflicts of interest) and lands in the audit log."""

from __future__ import annotations

from django.contrib import admin

from biocommunity.assessment import models
from biocommunity.core.admin import ReadOnlyAdmin


@admin.register(models.Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["title_ja", "title_en", "rubric_code", "rubric_version", "status", "opens_on"]
    list_filter = ["status", "subject"]
    exclude = ["rubric_content"]


@admin.register(models.Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["round", "organization", "community", "type_code", "status", "submitted_at"]
    list_filter = ["status", "round"]
    search_fields = ["organization__name_ja", "organization__name_en"]


@admin.register(models.Claim)
class ClaimAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "criterion", "met", "updated_at"]
    list_filter = ["met"]


@admin.register(models.Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["claim", "kind", "original_name", "url", "figure", "added_at"]
    list_filter = ["kind"]


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
