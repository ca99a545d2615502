from __future__ import annotations

from django.contrib import admin
from django.db import models as dj_models

from biocommunity.core.admin import ChangeLoggedAdmin, ReadOnlyAdmin, RoleAwareTabularInline
from biocommunity.registry import models
from biocommunity.registry.services.organizations import refresh_search_text


class ClassificationInline(RoleAwareTabularInline):
    model = models.Classification
    extra = 1


class HubMembershipInline(RoleAwareTabularInline):
    model = models.HubMembership
    extra = 1
    autocomplete_fields = ["hub"]


@admin.register(models.Organization)
class OrganizationAdmin(ChangeLoggedAdmin):
    list_display = ["key", "name_ja", "name_en", "prefecture", "country", "as_of"]
    list_filter = ["classifications__kind", "prefecture", "country", "listed"]
    search_fields = ["key", "name_ja", "name_en", "short_name", "aliases"]
    autocomplete_fields = ["parent"]
    inlines = [ClassificationInline, HubMembershipInline]
    formfield_overrides = {dj_models.URLField: {"assume_scheme": "https"}}

    def before_save(self, obj: models.Organization) -> None:
        refresh_search_text(obj)


@admin.register(models.Community)
class CommunityAdmin(ChangeLoggedAdmin):
    list_display = ["key", "name_ja", "name_en", "kind", "radius_km"]
    autocomplete_fields = ["network_organization"]


@admin.register(models.Hub)
class HubAdmin(ChangeLoggedAdmin):
    list_display = ["key", "number", "name_ja", "name_en", "community"]
    list_filter = ["community"]
    search_fields = ["key", "name_ja", "name_en"]


@admin.register(models.HubFigure)
class HubFigureAdmin(ChangeLoggedAdmin):
    list_display = ["hub", "label_ja", "value", "unit_ja", "period", "as_of"]
    list_filter = ["hub"]


@admin.register(models.HubMembership)
class HubMembershipAdmin(ChangeLoggedAdmin):
    list_display = ["hub", "function", "organization"]
    list_filter = ["hub", "function"]
    autocomplete_fields = ["organization", "hub"]


@admin.register(models.CouncilCategory)
class CouncilCategoryAdmin(ChangeLoggedAdmin):
    list_display = ["key", "name_ja", "name_en", "community"]


@admin.register(models.CouncilSeat)
class CouncilSeatAdmin(ChangeLoggedAdmin):
    list_display = ["number", "organization", "role", "category", "community"]
    list_filter = ["community", "role", "category"]
    autocomplete_fields = ["organization"]


@admin.register(models.MarketDomain)
class MarketDomainAdmin(ChangeLoggedAdmin):
    list_display = ["number", "name_ja", "name_en"]


@admin.register(models.OrganizationMarketDomain)
class OrganizationMarketDomainAdmin(ChangeLoggedAdmin):
    list_display = ["domain", "organization"]
    list_filter = ["domain"]
    autocomplete_fields = ["organization"]


@admin.register(models.Partnership)
class PartnershipAdmin(ChangeLoggedAdmin):
    list_display = ["organization", "partner_name_ja", "partner_name_en", "partner_country"]
    autocomplete_fields = ["organization", "partner_organization"]


class ProjectParticipationInline(RoleAwareTabularInline):
    model = models.ProjectParticipation
    extra = 1
    autocomplete_fields = ["organization"]


@admin.register(models.NationalProject)
class NationalProjectAdmin(ChangeLoggedAdmin):
    list_display = ["key", "name_ja", "name_en"]
    inlines = [ProjectParticipationInline]


class ProgrammeEntryInline(RoleAwareTabularInline):
    model = models.ProgrammeEntry
    extra = 1
    autocomplete_fields = ["organization"]


@admin.register(models.Programme)
class ProgrammeAdmin(ChangeLoggedAdmin):
    list_display = ["key", "kind", "name_ja", "name_en", "agency"]
    list_filter = ["kind"]
    inlines = [ProgrammeEntryInline]


@admin.register(models.OrganizationMember)
class OrganizationMemberAdmin(ChangeLoggedAdmin):
    list_display = ["user", "organization", "acts_for", "since"]
    list_filter = ["acts_for"]
    autocomplete_fields = ["organization"]


@admin.register(models.ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ["time", "kind", "file_name", "user", "rows", "created", "updated", "unchanged"]
    readonly_fields = [f.name for f in models.ImportRun._meta.fields]
