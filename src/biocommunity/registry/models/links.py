"""What ties organisations together: council, domains, partners, projects, programmes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from biocommunity.core.provenance import Sourced
from biocommunity.registry.choices import CouncilRole, ProgrammeKind


class CouncilCategory(Sourced):
    """A category of council seats, with the role the seeds expect of it (期待される役割)."""

    community = models.ForeignKey(
        "registry.Community",
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="council_categories",
    )
    key = models.SlugField(_("key"), max_length=50)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    expected_role_ja = models.TextField(_("expected role (Japanese)"), blank=True)
    expected_role_en = models.TextField(_("expected role (English)"), blank=True)

    class Meta:
        ordering = ["community", "id"]
        verbose_name = _("council category")
        verbose_name_plural = _("council categories")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "key"],
                name="council_category_unique",
                violation_error_message=_("This category already exists in the community."),
            )
        ]

    def __str__(self) -> str:
        return self.name_en


class CouncilSeat(Sourced):
    """An organisation's seat on a community council. No personal names are kept."""

    community = models.ForeignKey(
        "registry.Community",
        verbose_name=_("community"),
        on_delete=models.CASCADE,
        related_name="council_seats",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="council_seats",
    )
    role = models.CharField(_("role"), max_length=20, choices=CouncilRole.choices)
    category = models.ForeignKey(
        CouncilCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="seats",
    )
    number = models.CharField(_("number in the list"), max_length=10, blank=True)

    class Meta:
        ordering = ["community", "role", "id"]
        verbose_name = _("council seat")
        verbose_name_plural = _("council seats")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "organization", "role"],
                name="council_seat_unique",
                violation_error_message=_("The organisation already holds this role."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.role}: {self.organization}"


class MarketDomain(Sourced):
    """One of the nine market domains of the Bio Strategy (市場領域)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    key = models.SlugField(_("key"), max_length=80, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["number"]
        verbose_name = _("market domain")
        verbose_name_plural = _("market domains")

    def __str__(self) -> str:
        return f"{self.number}. {self.name_en}"


class OrganizationMarketDomain(Sourced):
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="market_domain_links",
    )
    domain = models.ForeignKey(
        MarketDomain,
        verbose_name=_("market domain"),
        on_delete=models.CASCADE,
        related_name="organization_links",
    )

    class Meta:
        ordering = ["domain", "organization"]
        verbose_name = _("organisation market domain")
        verbose_name_plural = _("organisation market domains")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "domain"],
                name="organization_market_domain_unique",
                violation_error_message=_("The organisation is already in this market domain."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.domain}"


class Partnership(Sourced):
    """An international partner link of a community organisation (参考10-1)."""

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="partnerships",
    )
    partner_name_ja = models.CharField(_("partner (Japanese)"), max_length=300)
    partner_name_en = models.CharField(_("partner (English)"), max_length=300)
    partner_country = models.CharField(_("partner country"), max_length=2, blank=True)
    partner_organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("partner organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partnered_by",
    )
    note_ja = models.CharField(_("note (Japanese)"), max_length=300, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["organization", "id"]
        verbose_name = _("international partnership")
        verbose_name_plural = _("international partnerships")

    def __str__(self) -> str:
        return f"{self.organization} ↔ {self.partner_name_en}"


class NationalProject(Sourced):
    """A national project the community works with (ナショナルプロジェクト事例)."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    programme_ja = models.CharField(_("programme (Japanese)"), max_length=300, blank=True)
    programme_en = models.CharField(_("programme (English)"), max_length=300, blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    market_domains = models.ManyToManyField(
        MarketDomain, verbose_name=_("market domains"), blank=True, related_name="projects"
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("national project")
        verbose_name_plural = _("national projects")

    def __str__(self) -> str:
        return self.name_en


class ProjectParticipation(Sourced):
    project = models.ForeignKey(
        NationalProject,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="project_participations",
    )
    lead = models.BooleanField(_("lead"), default=False)

    class Meta:
        ordering = ["project", "-lead", "id"]
        verbose_name = _("project participation")
        verbose_name_plural = _("project participations")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organization"],
                name="project_participation_unique",
                violation_error_message=_("The organisation already takes part in the project."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.organization}"


class Programme(Sourced):
    """A public programme whose list of organisations the seeds print (認定VC, CDMO …)."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ProgrammeKind.choices)
    name_ja = models.CharField(_("name (Japanese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    agency = models.CharField(_("agency"), max_length=100, blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name_en


class ProgrammeEntry(Sourced):
    """An organisation listed in a programme, with its round and what it offers there."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="entries"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="programme_entries",
    )
    round = models.CharField(_("round"), max_length=20, blank=True)
    detail_ja = models.TextField(_("detail (Japanese)"), blank=True)
    detail_en = models.TextField(_("detail (English)"), blank=True)

    class Meta:
        ordering = ["programme", "round", "id"]
        verbose_name = _("programme entry")
        verbose_name_plural = _("programme entries")

    def __str__(self) -> str:
        return f"{self.programme}: {self.organization}"
