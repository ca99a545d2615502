"""The certification workflow and who may do each step; pages, API and CLI all call these.

Secretariat opens a round → institutions self-assess with evidence → reviewers score (never
their own organisation) → the committee (secretariat) decides → an immutable certificate.
Every step writes an audit entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from biocommunity.assessment.models import (
    Assessment,
    AssessmentStatus,
    AuditEntry,
    Certificate,
    CertificateKind,
    Claim,
    Evidence,
    EvidenceKind,
    Review,
    ReviewStatus,
    Round,
    RoundStatus,
    Score,
    Subject,
)
from biocommunity.assessment.services import announcements
from biocommunity.assessment.services.evidence import check_document
from biocommunity.assessment.services.levels import LevelResult, level_for
from biocommunity.assessment.services.rubrics import (
    Criterion,
    InstitutionType,
    Parameter,
    Rubric,
    get_rubric,
    parse_rubric,
)
from biocommunity.core import roles
from biocommunity.core.templatetags.bilingual import current_language, pick
from biocommunity.indicators.models import Observation
from biocommunity.people.choices import NoticeKind
from biocommunity.registry.choices import OrganizationKind
from biocommunity.registry.models import Community, Organization
from biocommunity.registry.services.permissions import affiliation, member_organization


def audit(actor: Any, action: str, **targets: Any) -> AuditEntry:
    detail = targets.pop("detail", {})
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        detail=detail,
        **targets,
    )


def require_secretariat(user: Any) -> None:
    if not roles.is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may do this."))


def round_rubric(round: Round) -> Rubric:
    """The rubric as the round keeps it (later file versions never change a round)."""
    cache: Rubric | None = getattr(round, "_rubric", None)
    if cache is None:
        cache = parse_rubric(round.rubric_content, f"{round.rubric_code}-{round.rubric_version}")
        setattr(round, "_rubric", cache)  # noqa: B010 (a per-instance cache, not a field)
    return cache


def assessment_type(assessment: Assessment) -> InstitutionType:
    return round_rubric(assessment.round).type(assessment.type_code)


# Rounds ----------------------------------------------------------------------------------------


def create_round(
    user: Any,
    *,
    community: Community,
    rubric_code: str,
    rubric_version: str,
    title_ja: str,
    title_en: str,
    opens_on: date,
    closes_on: date,
) -> Round:
    require_secretariat(user)
    try:
        rubric = get_rubric(rubric_code, rubric_version)
    except KeyError:
        raise ValidationError(
            {
                "rubric": _("There is no rubric %(name)s.")
                % {"name": f"{rubric_code} {rubric_version}"}
            }
        ) from None
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("A round cannot close before it opens.")})
    if not (title_ja.strip() or title_en.strip()):
        raise ValidationError({"title_ja": _("Give the round a title.")})
    round = Round.objects.create(
        community=community,
        title_ja=title_ja.strip() or title_en.strip(),
        title_en=title_en.strip() or title_ja.strip(),
        subject=rubric.subject,
        rubric_code=rubric.code,
        rubric_version=rubric.version,
        rubric_sha256=rubric.sha256,
        rubric_content=dict(rubric.content),
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=user,
    )
    audit(user, "round.created", round=round, detail={"rubric": rubric.label})
    return round


def parameters_needed(round: Round) -> list[Parameter]:
    """Parameters the round's invited types use; none while nobody is invited.

    Asking for every threshold of the rubric up front would make the secretariat set figures
    for institution types nobody in the round belongs to.
    """
    rubric = round_rubric(round)
    types = sorted(set(round.assessments.values_list("type_code", flat=True)))
    return rubric.parameters_used(types) if types else []


def _unset(round: Round, parameters: list[Parameter]) -> list[Parameter]:
    return [p for p in parameters if round.parameters.get(p.code) in (None, "")]


def missing_parameters(round: Round) -> list[Parameter]:
    return _unset(round, parameters_needed(round))


def set_parameters(user: Any, round: Round, values: Mapping[str, Any]) -> Round:
    """Set thresholds; each bad value is reported under its own field and nothing is saved."""
    require_secretariat(user)
    if round.status != RoundStatus.DRAFT:
        raise ValidationError(_("Thresholds are fixed once the round is open."))
    rubric = round_rubric(round)
    errors: dict[str, str] = {}
    parsed = dict(round.parameters)
    for code, raw in values.items():
        try:
            parameter = rubric.parameter(code)
        except KeyError:
            errors[code] = _("The rubric has no parameter %(code)s.") % {"code": code}
            continue
        if raw is None or str(raw).strip() == "":
            parsed.pop(code, None)
            continue
        try:
            parsed[code] = parameter.parse(raw)
        except ValueError as exc:
            errors[code] = _("%(name)s: %(reason)s.") % {
                "name": parameter.name.get(current_language()),
                "reason": exc,
            }
    if errors:
        raise ValidationError(errors)
    before = round.parameters
    round.parameters = parsed
    round.save(update_fields=["parameters"])
    audit(user, "round.parameters", round=round, detail={"before": before, "after": parsed})
    return round


def types_for(organization: Organization, rubric: Rubric) -> list[InstitutionType]:
    """Institution types whose organisation kinds match the organisation's."""
    kinds = set(organization.classifications.values_list("kind", flat=True))
    return [t for t in rubric.types if kinds & set(t.organization_kinds)]


def invite(user: Any, round: Round, organization: Organization, type_code: str) -> Assessment:
    require_secretariat(user)
    if round.subject != Subject.INSTITUTION:
        raise ValidationError(_("This round certifies communities, not institutions."))
    if round.status == RoundStatus.CLOSED:
        raise ValidationError(_("The round is closed."))
    rubric = round_rubric(round)
    try:
        kind = rubric.type(type_code)
    except KeyError:
        raise ValidationError({"type_code": _("Unknown institution type.")}) from None
    if kind not in types_for(organization, rubric):
        raise ValidationError(
            {
                "type_code": _(
                    "%(org)s is not registered as any of the kinds this type covers (%(kinds)s)."
                )
                % {
                    "org": pick(organization, "name"),
                    "kinds": ", ".join(
                        str(OrganizationKind(k).label) if k in OrganizationKind.values else k
                        for k in kind.organization_kinds
                    ),
                }
            }
        )
    if round.assessments.filter(organization=organization).exists():
        raise ValidationError(
            {"organization": _("This organisation is already invited to the round.")}
        )
    if round.status == RoundStatus.OPEN:
        # Thresholds are fixed once open: a type needing an unset one could never be assessed.
        unset = _unset(round, rubric.parameters_used([type_code]))
        if unset:
            raise ValidationError(
                {
                    "type_code": _(
                        "This type needs thresholds the open round left unset: %(names)s."
                    )
                    % {"names": "; ".join(p.name.get(current_language()) for p in unset)}
                }
            )
    assessment = Assessment.objects.create(
        round=round, organization=organization, type_code=type_code
    )
    audit(
        user, "assessment.invited", round=round, assessment=assessment, detail={"type": type_code}
    )
    if round.status == RoundStatus.OPEN:
        announcements.round_invitation([assessment])
    return assessment


def add_community(user: Any, round: Round) -> Assessment:
    """Put the round's own community up for certification (community rounds)."""
    require_secretariat(user)
    if round.subject != Subject.COMMUNITY:
        raise ValidationError(_("This round certifies institutions, not communities."))
    assessment, created = Assessment.objects.get_or_create(
        round=round, community=round.community, defaults={"type_code": round.community.kind}
    )
    if created:
        audit(user, "assessment.invited", round=round, assessment=assessment)
    return assessment


def open_round(user: Any, round: Round) -> Round:
    require_secretariat(user)
    if round.status != RoundStatus.DRAFT:
        raise ValidationError(_("Only a round being prepared can be opened."))
    if not round.assessments.exists():
        raise ValidationError(_("Invite at least one participant before opening the round."))
    missing = missing_parameters(round)
    if missing:
        language = current_language()
        raise ValidationError(
            _("The round cannot open while these thresholds are unset: %(names)s.")
            % {"names": "; ".join(p.name.get(language) for p in missing)}
        )
    round.status = RoundStatus.OPEN
    round.save(update_fields=["status"])
    audit(user, "round.opened", round=round, detail={"parameters": round.parameters})
    announcements.round_invitation(list(round.assessments.select_related("organization")))
    return round


def close_round(user: Any, round: Round) -> Round:
    require_secretariat(user)
    if round.status != RoundStatus.OPEN:
        raise ValidationError(_("Only an open round can be closed."))
    round.status = RoundStatus.CLOSED
    round.save(update_fields=["status"])
    audit(user, "round.closed", round=round)
    return round


# Self-assessment -------------------------------------------------------------------------------


def is_own(user: Any, assessment: Assessment) -> bool:
    """The assessed side: the organisation's members; for a community, the secretariat."""
    if assessment.community_id is not None:
        return roles.is_secretariat(user)
    own = member_organization(user)
    return own is not None and own.pk == assessment.organization_id


def can_view_assessment(user: Any, assessment: Assessment) -> bool:
    """The assessed side and the secretariat always; reviewers once it is submitted."""
    return (
        is_own(user, assessment)
        or roles.is_secretariat(user)
        or (
            roles.is_reviewer(user)
            and assessment.status in (AssessmentStatus.SUBMITTED, AssessmentStatus.DECIDED)
            and conflict_of_interest(user, assessment) is None
        )
    )


def require_view_assessment(user: Any, assessment: Assessment) -> None:
    if not can_view_assessment(user, assessment):
        raise PermissionDenied(_("You may not see this self-assessment."))


def assessments_for(user: Any) -> QuerySet[Assessment]:
    """The self-assessments a user fills in."""
    own = member_organization(user)
    query = Assessment.objects.none()
    if own is not None:
        query = Assessment.objects.filter(organization=own)
    if roles.is_secretariat(user):
        query = query | Assessment.objects.filter(community__isnull=False)
    return query.select_related("round", "organization", "community").order_by("-round__opens_on")


def require_edit_assessment(user: Any, assessment: Assessment) -> None:
    if not is_own(user, assessment):
        raise PermissionDenied(_("Only the assessed organisation fills in its self-assessment."))
    if assessment.round.status != RoundStatus.OPEN:
        raise ValidationError(_("The round is not open."))
    if assessment.status not in (AssessmentStatus.INVITED, AssessmentStatus.DRAFT):
        raise ValidationError(
            _("This self-assessment has been submitted and can no longer change.")
        )


def save_claims(user: Any, assessment: Assessment, claims: Mapping[str, tuple[bool, str]]) -> None:
    """Save a draft: for each criterion code, whether it is met and a statement."""
    require_edit_assessment(user, assessment)
    known = {c.code for c in claimable_criteria(assessment)}
    unknown = sorted(set(claims) - known)
    if unknown:
        raise ValidationError(_("Unknown criteria: %(codes)s.") % {"codes": ", ".join(unknown)})
    with transaction.atomic():
        existing = {c.criterion: c for c in assessment.claims.all()}
        changed = []
        for code, (met, statement) in claims.items():
            claim = existing.get(code)
            if claim is None:
                if not met and not statement.strip():
                    continue
                Claim.objects.create(
                    assessment=assessment, criterion=code, met=met, statement=statement.strip()
                )
                changed.append(code)
            elif claim.met != met or claim.statement != statement.strip():
                claim.met = met
                claim.statement = statement.strip()
                claim.save(update_fields=["met", "statement", "updated_at"])
                changed.append(code)
        if assessment.status == AssessmentStatus.INVITED:
            assessment.status = AssessmentStatus.DRAFT
        assessment.save(update_fields=["status", "updated_at"])
    if changed:
        audit(user, "assessment.saved", assessment=assessment, detail={"criteria": changed})


def claimable_criteria(assessment: Assessment) -> list[Criterion]:
    """Criteria the assessed side answers (a community answers only what needs evidence)."""
    kind = assessment_type(assessment)
    if assessment.community_id is not None:
        return [c for c in (*kind.requirements, *kind.criteria) if c.check in ("evidence", "plan")]
    return list(kind.criteria)


def add_evidence(
    user: Any,
    assessment: Assessment,
    criterion: str,
    *,
    upload: UploadedFile | None = None,
    url: str = "",
    observation_id: int | None = None,
    figure: str = "",
    note: str = "",
) -> Evidence:
    """Attach one piece of evidence: a document, a web address, or a figure."""
    require_edit_assessment(user, assessment)
    if criterion not in {c.code for c in claimable_criteria(assessment)}:
        raise ValidationError({"criterion": _("Unknown criterion.")})
    given = sum(bool(x) for x in (upload, url.strip(), observation_id or figure.strip()))
    if given != 1:
        raise ValidationError(_("Give exactly one of: a file, a web address, or a figure."))
    evidence = Evidence(note=note.strip()[:500], added_by=user)
    if upload is not None:
        checked = check_document(upload)
        evidence.kind = EvidenceKind.DOCUMENT
        evidence.original_name = checked.name
        evidence.content_type = checked.content_type
        evidence.size = checked.size
        evidence.sha256 = checked.sha256
        evidence.extension = checked.extension
    elif url.strip():
        address = url.strip()
        try:
            URLValidator(schemes=["http", "https"])(address)
        except ValidationError:
            raise ValidationError(
                {"url": _("Enter a web address starting with https://.")}
            ) from None
        if len(address) > 500:
            raise ValidationError({"url": _("The web address is longer than 500 characters.")})
        evidence.kind = EvidenceKind.URL
        evidence.url = address
    else:
        evidence.kind = EvidenceKind.FIGURE
        if observation_id:
            observation = Observation.objects.filter(pk=observation_id).first()
            if observation is None:
                raise ValidationError({"observation": _("There is no such observation.")})
            evidence.observation = observation
        evidence.figure = figure.strip()[:200]
    with transaction.atomic():
        claim, _created = Claim.objects.get_or_create(
            assessment=assessment, criterion=criterion, defaults={"met": True}
        )
        evidence.claim = claim
        if upload is not None:
            evidence.file.save(upload.name or "evidence", upload, save=False)
        try:
            evidence.save()
        except Exception:
            if evidence.file:
                evidence.file.delete(save=False)
            raise
        if assessment.status == AssessmentStatus.INVITED:
            assessment.status = AssessmentStatus.DRAFT
            assessment.save(update_fields=["status", "updated_at"])
    audit(
        user,
        "evidence.added",
        assessment=assessment,
        detail={"criterion": criterion, "kind": evidence.kind, "name": str(evidence)},
    )
    return evidence


def remove_evidence(user: Any, evidence: Evidence) -> None:
    assessment = evidence.claim.assessment
    require_edit_assessment(user, assessment)
    name = str(evidence)
    criterion = evidence.claim.criterion
    if evidence.file:
        evidence.file.delete(save=False)
    evidence.delete()
    audit(
        user,
        "evidence.removed",
        assessment=assessment,
        detail={"criterion": criterion, "name": name},
    )


def criterion_names(assessment: Assessment, codes: list[str]) -> str:
    """Criteria as the page shows them (text with the round's thresholds), in quotes."""
    rubric = round_rubric(assessment.round)
    language = current_language()
    names = []
    for code in codes:
        try:
            names.append(
                f"「{rubric.criterion(code).render(language, assessment.round.parameters)}」"
            )
        except KeyError:
            names.append(code)
    return " ".join(names)


def claimed_level(assessment: Assessment) -> LevelResult:
    met = set(assessment.claims.filter(met=True).values_list("criterion", flat=True))
    return level_for(round_rubric(assessment.round), assessment_type(assessment), met)


def submit_assessment(user: Any, assessment: Assessment) -> Assessment:
    """Send for review; every criterion claimed as met must have evidence."""
    require_edit_assessment(user, assessment)
    met = list(assessment.claims.filter(met=True).prefetch_related("evidence"))
    if not met:
        raise ValidationError(_("Mark at least one criterion as met before submitting."))
    bare = [c.criterion for c in met if not c.evidence.all()]
    if bare:
        raise ValidationError(
            _("These criteria are marked as met but have no evidence: %(criteria)s.")
            % {"criteria": criterion_names(assessment, bare)}
        )
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["status", "submitted_at", "updated_at"])
    audit(
        user,
        "assessment.submitted",
        assessment=assessment,
        detail={"met": [c.criterion for c in met]},
    )
    announcements.assessment_submitted(assessment, conflict_of_interest)
    return assessment


# Review ----------------------------------------------------------------------------------------


def conflict_of_interest(user: Any, assessment: Assessment) -> str | None:
    """Why this user may not review this assessment, or None.

    Looks at where the reviewer works (their affiliation), not only at the organisation they
    speak for: a reviewer employed by an institution never reviews it or its relatives.
    """
    own = affiliation(user)
    if own is None:
        return None
    organization = assessment.organization
    if organization is not None and own.pk == organization.pk:
        return _("You belong to the organisation under review.")
    if organization is not None and own.pk in _ancestors(organization):
        return _("You belong to the parent of the organisation under review.")
    if organization is not None and organization.pk in _ancestors(own):
        return _("You belong to an organisation that is part of the one under review.")
    community = assessment.community
    if community is not None and own.pk == community.network_organization_id:
        return _("You belong to the community's network organisation.")
    return None


def _ancestors(organization: Organization) -> set[int]:
    """Parent, grandparent … (a loop in the data stops the walk)."""
    found: set[int] = set()
    parent_id = organization.parent_id
    while parent_id is not None and parent_id not in found:
        found.add(parent_id)
        parent_id = (
            Organization.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        )
    return found


def review_blocker(user: Any, assessment: Assessment) -> str | None:
    """Why this (permitted) reviewer cannot score the assessment now, or None when they can."""
    if assessment.status in (AssessmentStatus.INVITED, AssessmentStatus.DRAFT):
        return _(
            "This self-assessment has not been submitted yet; it can be reviewed once the "
            "organisation submits it."
        )
    if assessment.status == AssessmentStatus.DECIDED:
        return _("The committee has decided on this self-assessment; reviews are closed.")
    review = Review.objects.filter(assessment=assessment, reviewer_id=user.pk).first()
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        return _("You have already submitted this review.")
    return None


def require_review(user: Any, assessment: Assessment) -> None:
    if not roles.is_reviewer(user):
        raise PermissionDenied(_("Only reviewers score self-assessments."))
    reason = conflict_of_interest(user, assessment)
    if reason:
        raise PermissionDenied(reason)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted self-assessment can be reviewed."))


def review_queue(user: Any) -> list[Assessment]:
    """Submitted self-assessments this reviewer may score (conflicts left out)."""
    if not roles.is_reviewer(user):
        return []
    return [
        a
        for a in Assessment.objects.filter(status=AssessmentStatus.SUBMITTED).select_related(
            "round", "organization", "community"
        )
        if conflict_of_interest(user, a) is None
    ]


def save_review(
    user: Any,
    assessment: Assessment,
    *,
    scores: Mapping[str, tuple[bool, str]],
    comment: str,
    recommended_level: str,
    submit: bool,
) -> Review:
    require_review(user, assessment)
    rubric = round_rubric(assessment.round)
    review = Review.objects.filter(assessment=assessment, reviewer=user).first()
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise ValidationError(_("You have already submitted this review."))
    if recommended_level and recommended_level not in {lv.code for lv in rubric.levels}:
        raise ValidationError({"recommended_level": _("Unknown level.")})
    known = {c.code for c in claimable_criteria(assessment)}
    unknown = sorted(set(scores) - known)
    if unknown:
        raise ValidationError(_("Unknown criteria: %(codes)s.") % {"codes": ", ".join(unknown)})
    if submit and not recommended_level and assessment.organization_id is not None:
        raise ValidationError({"recommended_level": _("Recommend a level before submitting.")})
    with transaction.atomic():
        if review is None:
            review = Review.objects.create(assessment=assessment, reviewer=user)
        review.comment = comment.strip()
        review.recommended_level = recommended_level
        for code, (accepted, note) in scores.items():
            Score.objects.update_or_create(
                review=review,
                criterion=code,
                defaults={"accepted": accepted, "comment": note.strip()[:1000]},
            )
        if submit:
            review.status = ReviewStatus.SUBMITTED
            review.submitted_at = timezone.now()
        review.save()
    audit(
        user,
        "review.submitted" if submit else "review.saved",
        assessment=assessment,
        detail={"recommended_level": recommended_level},
    )
    if submit:
        announcements.review_done(review)
    return review


@dataclass(frozen=True)
class ReviewSummary:
    review: Review
    level: LevelResult


def review_summaries(assessment: Assessment) -> list[ReviewSummary]:
    rubric = round_rubric(assessment.round)
    kind = assessment_type(assessment)
    return [
        ReviewSummary(
            review,
            level_for(rubric, kind, {s.criterion for s in review.scores.all() if s.accepted}),
        )
        for review in assessment.reviews.filter(status=ReviewStatus.SUBMITTED)
        .select_related("reviewer")
        .prefetch_related("scores")
    ]


def reviewers_disagree(
    assessment: Assessment, summaries: list[ReviewSummary] | None = None
) -> bool:
    """Different levels recommended or different criteria accepted (summaries, if at hand)."""
    if summaries is None:
        summaries = review_summaries(assessment)
    levels = {s.review.recommended_level for s in summaries}
    accepted = {
        frozenset(x.criterion for x in s.review.scores.all() if x.accepted) for s in summaries
    }
    return len(levels) > 1 or len(accepted) > 1


# Decisions and certificates --------------------------------------------------------------------


def _next_number(community: Community, year: int) -> str:
    prefix = f"{community.key.upper()}-{year}-"
    used = [
        int(tail)
        for number in Certificate.objects.filter(number__startswith=prefix).values_list(
            "number", flat=True
        )
        if (tail := number[len(prefix) :]).isdigit()
    ]
    return f"{prefix}{max(used, default=0) + 1:04d}"


def _check_period(valid_from: date, valid_to: date) -> None:
    if valid_to < valid_from:
        raise ValidationError({"valid_to": _("A certificate cannot end before it starts.")})


def _level_names(rubric: Rubric, code: str) -> tuple[str, str]:
    if not code:
        return "", ""
    try:
        level = rubric.level(code)
    except KeyError:
        raise ValidationError({"level_code": _("Unknown level.")}) from None
    return level.name.ja, level.name.en


def decision_blocker(
    assessment: Assessment, summaries: list[ReviewSummary] | None = None
) -> str | None:
    """Why the committee cannot decide on this assessment now, or None when it can."""
    if assessment.status in (AssessmentStatus.INVITED, AssessmentStatus.DRAFT):
        return _(
            "This self-assessment has not been submitted yet: the committee decides once it "
            "is submitted and reviewed."
        )
    if assessment.status == AssessmentStatus.DECIDED:
        return _("The committee has already decided on this self-assessment.")
    if assessment.status != AssessmentStatus.SUBMITTED:
        return _("Only a submitted self-assessment can be decided.")
    if not (review_summaries(assessment) if summaries is None else summaries):
        return _("At least one submitted review is needed before a decision.")
    return None


def decide(
    user: Any,
    assessment: Assessment,
    *,
    level_code: str,
    valid_from: date,
    valid_to: date,
    reason: str,
) -> Certificate:
    """The committee's decision; reviewers' disagreement must be settled with a stated reason."""
    require_secretariat(user)
    summaries = review_summaries(assessment)
    blocker = decision_blocker(assessment, summaries)
    if blocker:
        raise ValidationError(blocker)
    if reviewers_disagree(assessment, summaries) and not reason.strip():
        raise ValidationError(
            {"reason": _("The reviewers disagree: state the committee's reason.")}
        )
    if not level_code:
        raise ValidationError({"level_code": _("Choose the level to certify.")})
    _check_period(valid_from, valid_to)
    rubric = round_rubric(assessment.round)
    level_ja, level_en = _level_names(rubric, level_code)
    kind = assessment_type(assessment)
    community = assessment.round.community
    with transaction.atomic():
        certificate = Certificate.objects.create(
            number=_next_number(community, valid_from.year),
            kind=CertificateKind.ISSUE,
            organization=assessment.organization,
            community=assessment.community,
            round=assessment.round,
            assessment=assessment,
            rubric_code=rubric.code,
            rubric_version=rubric.version,
            type_code=kind.code,
            type_ja=kind.name.ja,
            type_en=kind.name.en,
            level_code=level_code,
            level_ja=level_ja,
            level_en=level_en,
            valid_from=valid_from,
            valid_to=valid_to,
            reason=reason.strip(),
            decided_by=user,
        )
        assessment.status = AssessmentStatus.DECIDED
        assessment.save(update_fields=["status", "updated_at"])
        audit(
            user,
            "certificate.issued",
            assessment=assessment,
            certificate=certificate,
            detail={"level": level_code, "number": certificate.number},
        )
        announcements.certificate_changed(certificate, NoticeKind.CERTIFICATE_ISSUED)
    return certificate


def certificate_rubric(certificate: Certificate) -> Rubric:
    """The rubric a certificate was decided under."""
    if certificate.round is not None:
        return round_rubric(certificate.round)
    return get_rubric(certificate.rubric_code, certificate.rubric_version)


def _current(certificate: Certificate) -> None:
    if certificate.kind == CertificateKind.REVOCATION:
        raise ValidationError(_("A revocation cannot be revised or revoked."))
    if certificate.successors.exists():
        raise ValidationError(_("This certificate has already been revised or revoked."))


def _follow_up(
    user: Any, certificate: Certificate, kind: CertificateKind, **fields: Any
) -> Certificate:
    """A new record about the same subject that points to the certificate it replaces."""
    community = certificate.community or (
        certificate.round.community if certificate.round else None
    )
    assert community is not None
    return Certificate.objects.create(
        number=_next_number(community, fields["valid_from"].year),
        kind=kind,
        organization=certificate.organization,
        community=certificate.community,
        round=certificate.round,
        assessment=certificate.assessment,
        rubric_code=certificate.rubric_code,
        rubric_version=certificate.rubric_version,
        type_code=certificate.type_code,
        type_ja=certificate.type_ja,
        type_en=certificate.type_en,
        supersedes=certificate,
        decided_by=user,
        **fields,
    )


def revise(
    user: Any,
    certificate: Certificate,
    *,
    level_code: str,
    valid_from: date,
    valid_to: date,
    reason: str,
) -> Certificate:
    """A new certificate that replaces this one; the old record stays as it was."""
    require_secretariat(user)
    _current(certificate)
    if not reason.strip():
        raise ValidationError({"reason": _("A revision needs a reason.")})
    _check_period(valid_from, valid_to)
    level_ja, level_en = _level_names(certificate_rubric(certificate), level_code)
    with transaction.atomic():
        new = _follow_up(
            user,
            certificate,
            CertificateKind.REVISION,
            level_code=level_code,
            level_ja=level_ja,
            level_en=level_en,
            valid_from=valid_from,
            valid_to=valid_to,
            reason=reason.strip(),
        )
        audit(
            user,
            "certificate.revised",
            certificate=new,
            detail={
                "supersedes": certificate.number,
                "level": level_code,
                "reason": reason.strip(),
            },
        )
        announcements.certificate_changed(new, NoticeKind.CERTIFICATE_REVISED)
    return new


def revoke(user: Any, certificate: Certificate, *, reason: str) -> Certificate:
    require_secretariat(user)
    _current(certificate)
    if not reason.strip():
        raise ValidationError({"reason": _("A revocation needs a reason.")})
    today = timezone.localdate()
    with transaction.atomic():
        record = _follow_up(
            user,
            certificate,
            CertificateKind.REVOCATION,
            valid_from=today,
            valid_to=today,
            reason=reason.strip(),
        )
        audit(
            user,
            "certificate.revoked",
            certificate=record,
            detail={"revokes": certificate.number, "reason": reason.strip()},
        )
        announcements.certificate_changed(record, NoticeKind.CERTIFICATE_REVOKED)
    return record
