"""Profiles offered or sought, their vectors, introductions and saved searches."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from biocommunity.core.provenance import Sourced
from biocommunity.matching.choices import (
    CapabilityType,
    IntroductionStatus,
    ProfileKind,
    ProfileStatus,
    Stage,
    Visibility,
)


class Profile(Sourced):
    """A technology seed, a need or a capability, written in Japanese, English or both."""

    kind = models.CharField(_("kind"), max_length=12, choices=ProfileKind.choices)
    capability_type = models.CharField(
        _("capability type"), max_length=12, choices=CapabilityType.choices, blank=True
    )
    title_ja = models.CharField(_("title (Japanese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_ja = models.TextField(_("description (Japanese)"), max_length=5000, blank=True)
    body_en = models.TextField(_("description (English)"), max_length=5000, blank=True)
    organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="matching_profiles",
        verbose_name=_("organisation"),
    )
    market_domain = models.ForeignKey(
        "registry.MarketDomain",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matching_profiles",
        verbose_name=_("market domain"),
    )
    tags = models.CharField(
        _("modality / technology tags"),
        max_length=500,
        blank=True,
        help_text=_("Separated by ';', e.g. antibody; CHO; perfusion."),
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    trl = models.PositiveSmallIntegerField(
        _("TRL"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("Technology readiness level, 1 to 9."),
    )
    scale_min_litres = models.DecimalField(
        _("smallest scale (L)"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    scale_max_litres = models.DecimalField(
        _("largest scale (L)"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    gmp = models.BooleanField(_("GMP"), null=True, blank=True)
    hub = models.ForeignKey(
        "registry.Hub",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="matching_profiles",
        verbose_name=_("hub"),
    )
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProfileStatus.choices, default=ProfileStatus.ACTIVE
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    # Set only on profiles a shipped dataset brings (matching/data/<name>/): the loader finds
    # them again by it, so loading twice changes nothing and edits to the data update in place.
    dataset_key = models.SlugField(
        _("dataset key"), max_length=80, unique=True, null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("matching profile")
        verbose_name_plural = _("matching profiles")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title_ja="", title_en=""), name="profile_has_a_title"
            ),
            models.CheckConstraint(
                condition=models.Q(trl__isnull=True) | models.Q(trl__gte=1, trl__lte=9),
                name="profile_trl_1_to_9",
            ),
            models.CheckConstraint(
                condition=models.Q(scale_min_litres__isnull=True)
                | models.Q(scale_max_litres__isnull=True)
                | models.Q(scale_min_litres__lte=models.F("scale_max_litres")),
                name="profile_scale_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status", "visibility"], name="profile_filter_idx"),
            models.Index(fields=["organization", "kind"], name="profile_org_idx"),
        ]

    def __str__(self) -> str:
        return self.title_ja or self.title_en

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(";") if t.strip()]

    @property
    def languages(self) -> list[str]:
        """Languages the profile is written in, Japanese first."""
        return [
            lang
            for lang, title, body in (
                ("ja", self.title_ja, self.body_ja),
                ("en", self.title_en, self.body_en),
            )
            if title or body
        ]

    # What search_text() reads: loading only these is enough to build it.
    SEARCH_TEXT_FIELDS = ("title_ja", "title_en", "body_ja", "body_en", "tags")

    def search_text(self) -> str:
        """What the engine reads: titles, bodies and tags in every language given."""
        parts = [self.title_ja, self.title_en, self.body_ja, self.body_en, "; ".join(self.tag_list)]
        return "\n".join(part for part in parts if part)


class ProfileVector(models.Model):
    """A profile's embedding: float32 little-endian bytes, with the model and the text it came
    from, so a PostgreSQL installation can copy it into a pgvector column unchanged."""

    profile = models.OneToOneField(Profile, on_delete=models.CASCADE, related_name="vector")
    model = models.CharField(_("model"), max_length=100)
    dimensions = models.PositiveSmallIntegerField(_("dimensions"))
    vector = models.BinaryField(_("vector"))
    text_digest = models.CharField(_("text digest"), max_length=64)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("profile vector")
        verbose_name_plural = _("profile vectors")

    def __str__(self) -> str:
        return f"{self.model} ({self.dimensions}) for profile {self.profile_id}"


class IndexGeneration(models.Model):
    """One row whose token changes on every profile change: each process's in-memory index
    compares it with the one it was built from and rebuilds when they differ. A random token,
    not a counter, so a restored or rolled-back database never looks current by accident."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.token


class Introduction(models.Model):
    """A request from one organisation to meet the owner of a profile."""

    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="introductions", verbose_name=_("profile")
    )
    from_profile = models.ForeignKey(
        Profile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="introductions_sent",
        verbose_name=_("on behalf of profile"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="introductions_requested",
        verbose_name=_("requested by"),
    )
    requester_organization = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        related_name="introductions_requested",
        verbose_name=_("requesting organisation"),
    )
    message = models.TextField(_("message"), max_length=2000)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=IntroductionStatus.choices,
        default=IntroductionStatus.REQUESTED,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reply = models.TextField(_("reply"), max_length=2000, blank=True)
    meeting_held_on = models.DateField(_("meeting held on"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "requester_organization"],
                condition=models.Q(status="requested"),
                name="one_open_introduction_per_profile_and_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requester_organization} → {self.profile}"


class IntroductionForwarding(models.Model):
    """The secretariat passed a request on to an organisation that has nobody on the platform.

    One row per time it was passed on (by e-mail, telephone …), with the secretariat's note,
    so the history of a request shows who forwarded it, when and how.
    """

    introduction = models.ForeignKey(
        Introduction,
        on_delete=models.CASCADE,
        related_name="forwardings",
        verbose_name=_("introduction"),
    )
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("forwarded by"),
    )
    forwarded_at = models.DateTimeField(_("forwarded"), auto_now_add=True)
    note = models.TextField(_("note"), max_length=2000)

    class Meta:
        ordering = ["forwarded_at", "pk"]
        verbose_name = _("forwarding of an introduction")
        verbose_name_plural = _("forwardings of introductions")

    def __str__(self) -> str:
        return f"{self.introduction} ({self.forwarded_at:%Y-%m-%d})"


class SavedSearch(models.Model):
    """A query a user wants to hear about: new matching profiles are emailed to them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    query = models.CharField(_("query"), max_length=500)
    kinds = models.CharField(_("kinds"), max_length=40, blank=True)
    market_domain = models.ForeignKey(
        "registry.MarketDomain",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("market domain"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def __str__(self) -> str:
        return self.query

    @property
    def kind_list(self) -> list[str]:
        return [k for k in self.kinds.split(",") if k]


class SavedSearchNotice(models.Model):
    """A profile already announced to a saved search: never announced twice."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="notices")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "profile"], name="one_notice_per_profile"
            )
        ]

    def __str__(self) -> str:
        return f"{self.saved_search} → {self.profile_id}"
