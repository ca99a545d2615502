from __future__ import annotations

from django.contrib import admin

from biocommunity.core.admin import ChangeLoggedAdmin, RoleAwareTabularInline
from biocommunity.indicators import models


@admin.register(models.Indicator)
class IndicatorAdmin(ChangeLoggedAdmin):
    list_display = ["code", "name_ja", "name_en", "unit", "factor_group"]
    search_fields = ["code", "name_ja", "name_en"]


@admin.register(models.Subject)
class SubjectAdmin(ChangeLoggedAdmin):
    list_display = ["key", "kind", "name_ja", "name_en", "country"]
    list_filter = ["kind"]
    search_fields = ["key", "name_ja", "name_en"]


@admin.register(models.Observation)
class ObservationAdmin(ChangeLoggedAdmin):
    list_display = ["indicator", "subject", "period", "value", "value_kind", "unit", "as_of"]
    list_filter = ["subject__kind", "value_kind"]
    search_fields = ["indicator__code", "subject__key"]
    autocomplete_fields = ["indicator", "subject"]


@admin.register(models.SalesByIndustry)
class SalesByIndustryAdmin(ChangeLoggedAdmin):
    list_display = ["scope", "position", "industry_ja", "total_count", "sales", "unit"]
    list_filter = ["scope"]


@admin.register(models.Kpi)
class KpiAdmin(ChangeLoggedAdmin):
    list_display = [
        "code",
        "name_en",
        "baseline_value",
        "baseline_year",
        "target_value",
        "target_year",
    ]


@admin.register(models.ExchangeRate)
class ExchangeRateAdmin(ChangeLoggedAdmin):
    list_display = ["currency", "year", "jpy_per_unit", "source"]


class GoalInline(RoleAwareTabularInline):
    model = models.Goal
    extra = 1


@admin.register(models.Plan)
class PlanAdmin(ChangeLoggedAdmin):
    list_display = ["key", "name_ja", "name_en", "community"]
    inlines = [GoalInline]


@admin.register(models.CompanySales)
class CompanySalesAdmin(ChangeLoggedAdmin):
    list_display = ["company_name", "industry_ja", "listed", "in_community", "fiscal_year", "sales"]
    list_filter = ["listed", "in_community", "disclosed"]
    search_fields = ["company_name", "industry_ja", "industry_en"]
    raw_id_fields = ["organization"]
