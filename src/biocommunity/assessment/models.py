"""Certification rounds, self-assessments with evidence, reviews, certificates and the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Subject(models.TextChoices):
    INSTITUTION = "institution", _("Institutions")
    COMMUNITY = "community", _("Communities")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Round(models.Model):
    """A certification round: one rubric version, its thresholds, who is invited, when."""

    community = models.ForeignKey(
        "registry.Community",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="certification_rounds",
    )
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)
    rubric_code = models.CharField(_("rubric"), max_length=80)
    rubric_version = models.CharField(_("rubric version"), max_length=40)
    rubric_sha256 = models.CharField(max_length=64, editable=False)
    rubric_content = models.JSONField(
        editable=False, help_text=_("The rubric as it was when the round was created.")
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        verbose_name = _("certification round")
        verbose_name_plural = _("certification rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="round_closes_after_opening",
                violation_error_message=_("A round cannot close before it opens."),
            )
        ]

    def __str__(self) -> str:
        return self.title_en or self.title_ja


class AssessmentStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    DECIDED = "decided", _("Decided")


class Assessment(models.Model):
    """One institution's (or the community's) self-assessment in a round."""

    round = models.ForeignKey(
        Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="assessments"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    community = models.ForeignKey(
        "registry.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    type_code = models.CharField(_("institution type"), max_length=80)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.INVITED,
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["round", "id"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"],
                name="assessment_one_per_organization",
                violation_error_message=_("This organisation is already invited to the round."),
            ),
            models.UniqueConstraint(
                fields=["round", "community"],
                name="assessment_one_per_community",
                violation_error_message=_("This community is already in the round."),
            ),
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False, community__isnull=True)
                | models.Q(organization__isnull=True, community__isnull=False),
                name="assessment_has_one_subject",
                violation_error_message=_("An assessment is of one organisation or one community."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.organization or self.community}"


class Claim(models.Model):
    """The assessed side's statement on one criterion."""

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("self-assessment"),
        on_delete=models.CASCADE,
        related_name="claims",
    )
    criterion = models.CharField(_("criterion"), max_length=120)
    met = models.BooleanField(_("met"), default=False)
    statement = models.TextField(_("statement"), blank=True, max_length=4000)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["assessment", "id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="claim_unique")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.criterion}"


class EvidenceKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    URL = "url", _("Web page")
    FIGURE = "figure", _("Figure")


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name is never the uploaded one: it cannot collide or traverse.
    return f"evidence/{instance.claim.assessment_id}/{instance.sha256[:16]}{instance.extension}"


class Evidence(models.Model):
    """A document, a web page or a figure (optionally an indicator observation) behind a claim."""

    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    extension = models.CharField(max_length=10, blank=True, editable=False)
    url = models.URLField(_("web address"), blank=True, max_length=500)
    observation = models.ForeignKey(
        "indicators.Observation",
        verbose_name=_("indicator observation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    figure = models.CharField(_("figure"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["claim", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name or self.url or self.figure or str(self.observation_id)


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Review(models.Model):
    """One reviewer's scoring of a self-assessment."""

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("self-assessment"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="certification_reviews",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    recommended_level = models.CharField(_("recommended level"), max_length=40, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["assessment", "id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "reviewer"],
                name="review_one_per_reviewer",
                violation_error_message=_("You already review this self-assessment."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} / {self.reviewer}"


class Score(models.Model):
    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.CharField(_("criterion"), max_length=120)
    accepted = models.BooleanField(_("accepted"), default=False)
    comment = models.CharField(_("comment"), max_length=1000, blank=True)

    class Meta:
        ordering = ["review", "id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="score_unique")]

    def __str__(self) -> str:
        return f"{self.review_id}/{self.criterion}: {self.accepted}"


class CertificateKind(models.TextChoices):
    ISSUE = "issue", _("Issued")
    REVISION = "revision", _("Revision")
    REVOCATION = "revocation", _("Revocation")


class ImmutableRecord(models.Model):
    """A record written once: saving it again or deleting it is refused."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError(_("Issued records are never edited; write a new record."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("Issued records are never deleted; write a revocation."))


class Certificate(ImmutableRecord):
    """A committee decision; a revision or revocation is a new record pointing to the earlier."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CertificateKind.choices)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    community = models.ForeignKey(
        "registry.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    round = models.ForeignKey(
        Round, verbose_name=_("round"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("self-assessment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    rubric_code = models.CharField(_("rubric"), max_length=80)
    rubric_version = models.CharField(_("rubric version"), max_length=40)
    type_code = models.CharField(_("institution type"), max_length=80)
    type_ja = models.CharField(max_length=200)
    type_en = models.CharField(max_length=200)
    level_code = models.CharField(_("level"), max_length=40, blank=True)
    level_ja = models.CharField(max_length=100, blank=True)
    level_en = models.CharField(max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    reason = models.TextField(_("reason"), blank=True, max_length=4000)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successors",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="certificate_valid_period",
                violation_error_message=_("A certificate cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False, community__isnull=True)
                | models.Q(organization__isnull=True, community__isnull=False),
                name="certificate_has_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def subject(self) -> Any:
        return self.organization or self.community


class AuditAction(models.TextChoices):
    """Each step the workflow records, named as the secretariat reads it in the audit log."""

    ROUND_CREATED = "round.created", _("Round created")
    ROUND_PARAMETERS = "round.parameters", _("Thresholds set")
    ROUND_OPENED = "round.opened", _("Round opened")
    ROUND_CLOSED = "round.closed", _("Round closed")
    ASSESSMENT_INVITED = "assessment.invited", _("Invited to the round")
    ASSESSMENT_SAVED = "assessment.saved", _("Self-assessment saved")
    EVIDENCE_ADDED = "evidence.added", _("Evidence added")
    EVIDENCE_REMOVED = "evidence.removed", _("Evidence removed")
    ASSESSMENT_SUBMITTED = "assessment.submitted", _("Self-assessment submitted")
    REVIEW_SAVED = "review.saved", _("Review saved")
    REVIEW_SUBMITTED = "review.submitted", _("Review submitted")
    CERTIFICATE_ISSUED = "certificate.issued", _("Certificate issued")
    CERTIFICATE_REVISED = "certificate.revised", _("Certificate revised")
    CERTIFICATE_REVOKED = "certificate.revoked", _("Certificate revoked")


class AuditEntry(ImmutableRecord):
    """Every step of the workflow, in order; never edited."""

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    round = models.ForeignKey(
        Round, verbose_name=_("round"), null=True, on_delete=models.PROTECT, related_name="audit"
    )
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("self-assessment"),
        null=True,
        on_delete=models.PROTECT,
        related_name="audit",
    )
    certificate = models.ForeignKey(
        Certificate,
        verbose_name=_("certificate"),
        null=True,
        on_delete=models.PROTECT,
        related_name="audit",
    )
    detail = models.JSONField(_("detail"), default=dict)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {self.get_action_display()}"
