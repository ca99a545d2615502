from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from biocommunity.core.provenance import Sourced
from biocommunity.registry.choices import CommunityKind


class Community(Sourced):
    """A biocommunity run by a network organisation (GTB, Kansai, a regional one)."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CommunityKind.choices)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    centre_lat = models.FloatField(_("centre latitude"))
    centre_lon = models.FloatField(_("centre longitude"))
    radius_km = models.FloatField(
        _("radius (km)"), help_text=_("Members are expected within this distance of the centre.")
    )
    network_organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("network organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="networks_run",
    )

    class Meta:
        ordering = ["key"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(centre_lat__gte=-90, centre_lat__lte=90)
                & models.Q(centre_lon__gte=-180, centre_lon__lte=180),
                name="community_centre_on_earth",
                violation_error_message=_("The centre must be a valid latitude and longitude."),
            ),
            models.CheckConstraint(
                condition=models.Q(radius_km__gt=0),
                name="community_radius_positive",
                violation_error_message=_("The radius must be more than 0 km."),
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name_en


class Hub(Sourced):
    """An innovation hub (バイオイノベーション推進拠点) of a community."""

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.CASCADE, related_name="hubs"
    )
    key = models.SlugField(_("key"), max_length=80)
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    tagline_ja = models.CharField(_("tagline (Japanese)"), max_length=300, blank=True)
    tagline_en = models.CharField(_("tagline (English)"), max_length=300, blank=True)
    area_ja = models.CharField(_("area (Japanese)"), max_length=300, blank=True)
    area_en = models.CharField(_("area (English)"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["community", "number", "key"]
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "key"],
                name="hub_key_unique_in_community",
                violation_error_message=_("A hub with this key already exists in the community."),
            ),
        ]

    def __str__(self) -> str:
        return self.name_en


class HubFigure(Sourced):
    """A figure the seeds give for a hub (tenants, events, funds raised …)."""

    hub = models.ForeignKey(
        Hub, verbose_name=_("hub"), on_delete=models.CASCADE, related_name="figures"
    )
    label_ja = models.CharField(_("label (Japanese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)
    unit_ja = models.CharField(_("unit (Japanese)"), max_length=40, blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=40, blank=True)
    period = models.CharField(_("period"), max_length=40, blank=True)
    note_ja = models.CharField(_("note (Japanese)"), max_length=300, blank=True)
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["hub", "id"]
        verbose_name = _("hub figure")
        verbose_name_plural = _("hub figures")

    def __str__(self) -> str:
        return f"{self.hub}: {self.label_en} {self.value}"
