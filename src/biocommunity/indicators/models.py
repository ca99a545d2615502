"""Indicators, the subjects they are measured on, observations and KPIs."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from biocommunity.core.provenance import Sourced
from biocommunity.indicators.choices import FactorGroup, SubjectKind, Unit, ValueKind


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, blank=True)
    factor_group = models.CharField(_("factor group"), max_length=20, choices=FactorGroup.choices)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    definition_ja = models.TextField(_("definition (Japanese)"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.code


class Subject(models.Model):
    """What an indicator is measured on: a region, a nation, an ecosystem, a hub …"""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SubjectKind.choices)
    name_ja = models.CharField(_("name (Japanese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    country = models.CharField(_("country"), max_length=2, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.SET_NULL
    )
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["kind", "key"]
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")

    def __str__(self) -> str:
        return self.key


class Observation(Sourced):
    """One value of one indicator for one subject and period, as the source prints it."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="observations",
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.CASCADE, related_name="observations"
    )
    period = models.CharField(_("period"), max_length=20, blank=True)
    value = models.DecimalField(_("value"), max_digits=28, decimal_places=6, null=True, blank=True)
    value_kind = models.CharField(_("value kind"), max_length=20, choices=ValueKind.choices)
    value_text = models.CharField(_("value as text"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, blank=True)
    note_ja = models.TextField(_("note (Japanese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)

    class Meta:
        ordering = ["indicator", "subject", "period"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "subject", "period"],
                name="observation_unique_per_period",
                violation_error_message=_("This subject already has a value for this period."),
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=False)
                | models.Q(value_kind__in=[ValueKind.MISSING, ValueKind.TEXT]),
                name="observation_value_given_unless_missing",
                violation_error_message=_("A numeric value kind needs a value."),
            ),
        ]
        indexes = [models.Index(fields=["subject", "indicator"], name="observation_subject_idx")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.subject_id}/{self.period}"


class SalesByIndustry(Sourced):
    """A row of the member-company sales table (参考5 layout), as shipped."""

    scope = models.CharField(_("scope"), max_length=20)
    position = models.PositiveSmallIntegerField(_("position"))
    industry_ja = models.CharField(_("industry (Japanese)"), max_length=200)
    industry_en = models.CharField(_("industry (English)"), max_length=200)
    listed_count = models.PositiveIntegerField(_("listed companies"), null=True)
    unlisted_count = models.PositiveIntegerField(_("unlisted companies"), null=True)
    undisclosed_count = models.PositiveIntegerField(_("companies not disclosing sales"), null=True)
    total_count = models.PositiveIntegerField(_("companies counted"), null=True)
    listed_sales = models.DecimalField(
        _("sales of listed"), max_digits=20, decimal_places=2, null=True
    )
    unlisted_sales = models.DecimalField(
        _("sales of unlisted"), max_digits=20, decimal_places=2, null=True
    )
    sales = models.DecimalField(_("sales"), max_digits=20, decimal_places=2, null=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    note_ja = models.TextField(_("note (Japanese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)

    class Meta:
        ordering = ["scope", "position"]
        verbose_name = _("sales by industry row")
        verbose_name_plural = _("sales by industry")
        constraints = [
            models.UniqueConstraint(fields=["scope", "industry_ja"], name="sales_row_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}: {self.industry_en}"


class ExchangeRate(models.Model):
    """A stated conversion rate; figures are converted only with one of these, never silently."""

    currency = models.CharField(_("currency"), max_length=3)
    year = models.CharField(_("year"), max_length=10)
    jpy_per_unit = models.DecimalField(_("yen per unit"), max_digits=12, decimal_places=4)
    source = models.TextField(_("source"))
    note_ja = models.TextField(_("note (Japanese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)

    class Meta:
        ordering = ["currency", "-year"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "year"], name="exchange_rate_unique"),
            models.CheckConstraint(
                condition=models.Q(jpy_per_unit__gt=0), name="exchange_rate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.jpy_per_unit} JPY ({self.year})"


class CompanySales(Sourced):
    """One company's annual sales as a member list records it: the input of the 参考5 table."""

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sales_records",
    )
    company_name = models.CharField(_("company"), max_length=300)
    industry_ja = models.CharField(_("industry (Japanese)"), max_length=200)
    industry_en = models.CharField(_("industry (English)"), max_length=200, blank=True)
    listed = models.BooleanField(_("listed"))
    disclosed = models.BooleanField(_("sales disclosed"), default=True)
    in_community = models.BooleanField(_("inside the community"))
    fiscal_year = models.CharField(_("fiscal year"), max_length=10, blank=True)
    sales = models.DecimalField(_("sales"), max_digits=24, decimal_places=2, null=True, blank=True)
    unit = models.CharField(
        _("unit"), max_length=20, choices=Unit.choices, default=Unit.JPY_MILLION
    )

    class Meta:
        ordering = ["industry_ja", "company_name"]
        verbose_name = _("company sales record")
        verbose_name_plural = _("company sales records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(disclosed=False) | models.Q(sales__isnull=False),
                name="company_sales_given_when_disclosed",
                violation_error_message=_("Disclosed sales need a figure."),
            ),
        ]
        indexes = [models.Index(fields=["industry_ja", "in_community"], name="company_sales_idx")]

    def __str__(self) -> str:
        return f"{self.company_name} {self.fiscal_year}"


class Plan(Sourced):
    """A community's master plan: goals, each measured by KPIs."""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    community = models.ForeignKey(
        "registry.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
    )
    name_ja = models.CharField(_("name (Japanese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)

    class Meta:
        ordering = ["key"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.key


class Goal(models.Model):
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals"
    )
    key = models.SlugField(_("key"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name_ja = models.CharField(_("name (Japanese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    note_ja = models.TextField(_("note (Japanese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)

    class Meta:
        ordering = ["plan", "position"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="goal_key_unique_in_plan")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}/{self.key}"


class Kpi(Sourced):
    """A master-plan KPI: baseline, target, optional yearly band; actuals are observations."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("goal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kpis",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), null=True, blank=True, on_delete=models.SET_NULL
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), null=True, blank=True, on_delete=models.SET_NULL
    )
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, blank=True)
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_value = models.DecimalField(
        _("target"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    band_low = models.DecimalField(
        _("band low (a year)"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    band_high = models.DecimalField(
        _("band high (a year)"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    note_ja = models.TextField(_("note (Japanese)"), blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")

    def __str__(self) -> str:
        return self.code
