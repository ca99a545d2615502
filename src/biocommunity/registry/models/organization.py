from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from biocommunity.core.provenance import Sourced
from biocommunity.registry.choices import (
    HubFunction,
    OrganizationKind,
    prefecture_choices,
)

ROR_ID = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$")


def validate_corporate_number(value: str) -> None:
    """Japanese corporate number (法人番号): 13 digits whose first digit is a check digit."""
    if not value:
        return
    if not (len(value) == 13 and value.isdigit()):
        raise ValidationError(
            _("A corporate number has exactly 13 digits."), code="corporate_number_length"
        )
    body = value[1:]
    # National Tax Agency rule: weights 1,2 alternate from the right end of the 12-digit body.
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(body)))
    if int(value[0]) != 9 - (total % 9):
        raise ValidationError(
            _("%(value)s fails the corporate number check digit."),
            params={"value": value},
            code="corporate_number_check_digit",
        )


def validate_ror_id(value: str) -> None:
    """A ROR identifier as printed after https://ror.org/ (e.g. 057zh3y96)."""
    if value and not ROR_ID.match(value):
        raise ValidationError(
            _("%(value)s is not a ROR id (nine characters, e.g. 057zh3y96)."),
            params={"value": value},
            code="invalid_ror_id",
        )


class Organization(Sourced):
    """A player of the community: university, company, fund, city, association …"""

    key = models.SlugField(_("key"), max_length=80, unique=True)
    # Empty for an organisation abroad with no Japanese name: the English name is shown then.
    name_ja = models.CharField(
        _("name (Japanese)"),
        max_length=300,
        blank=True,
        help_text=_("Leave empty when it has no Japanese name; the English name is shown."),
    )
    name_en = models.CharField(_("name (English)"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    aliases = models.TextField(_("aliases"), blank=True, help_text=_("Separated by ';'."))
    country = models.CharField(_("country"), max_length=2, default="JP")
    prefecture = models.CharField(
        _("prefecture"), max_length=2, blank=True, choices=prefecture_choices()
    )
    city_ja = models.CharField(_("city (Japanese)"), max_length=100, blank=True)
    city_en = models.CharField(_("city (English)"), max_length=100, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    location_basis = models.CharField(
        _("location basis"),
        max_length=200,
        blank=True,
        help_text=_("The place name the approximate coordinates were taken from."),
    )
    website = models.URLField(_("website"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    corporate_number = models.CharField(
        _("corporate number"), max_length=13, blank=True, validators=[validate_corporate_number]
    )
    ror_id = models.CharField(_("ROR id"), max_length=9, blank=True, validators=[validate_ror_id])
    listed = models.BooleanField(_("listed"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(lat__isnull=True) & models.Q(lon__isnull=True))
                | (
                    models.Q(lat__isnull=False, lon__isnull=False)
                    & models.Q(lat__gte=-90, lat__lte=90)
                    & models.Q(lon__gte=-180, lon__lte=180)
                ),
                name="organization_coordinates_valid",
                violation_error_message=_(
                    "Latitude and longitude must both be given, within ±90 and ±180."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["name_ja"], name="organization_name_ja_idx"),
            models.Index(fields=["prefecture"], name="organization_prefecture_idx"),
        ]

    def __str__(self) -> str:
        return self.name_en or self.name_ja

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.split(";") if a.strip()]

    @property
    def kind_codes(self) -> list[str]:
        return [c.kind for c in self.classifications.all()]

    @property
    def kind_labels(self) -> list[str]:
        return [str(OrganizationKind(c).label) for c in self.kind_codes]


class Classification(models.Model):
    """One kind an organisation is (an organisation can be several)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="classifications",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=OrganizationKind.choices)

    class Meta:
        ordering = ["organization", "kind"]
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"],
                name="classification_unique",
                violation_error_message=_("The organisation already has this kind."),
            ),
        ]
        indexes = [models.Index(fields=["kind", "organization"], name="classification_kind_idx")]

    def __str__(self) -> str:
        return f"{self.organization}: {self.kind}"


class HubMembership(Sourced):
    """A function an organisation serves in a hub (one row per function)."""

    hub = models.ForeignKey(
        "registry.Hub", verbose_name=_("hub"), on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="hub_memberships",
    )
    function = models.CharField(_("function"), max_length=30, choices=HubFunction.choices)
    note_ja = models.CharField(_("note (Japanese)"), max_length=300, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["hub", "function", "organization"]
        verbose_name = _("hub membership")
        verbose_name_plural = _("hub memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "organization", "function"],
                name="hub_membership_unique",
                violation_error_message=_(
                    "The organisation already serves this function in this hub."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "hub"], name="hub_membership_org_idx"),
            models.Index(fields=["function", "organization"], name="hub_membership_function_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.hub} / {self.function} / {self.organization}"


class OrganizationMember(models.Model):
    """Where a user works (their affiliation), and whether they also speak for it.

    A member acting for the organisation (``acts_for``) is one of its contacts and edits its
    profile; a reviewer or secretariat person who only works there carries the affiliation
    (conflict-of-interest rules use it) without any right over the organisation.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="organization_membership",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    since = models.DateTimeField(_("since"), auto_now_add=True)
    acts_for = models.BooleanField(
        _("acts for the organisation"),
        default=True,
        help_text=_(
            "On: a contact who answers for the organisation and edits its profile. "
            "Off: the person only works there (a reviewer or secretariat affiliation)."
        ),
    )

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"
