"""Who hears of each certification step, and what they read (in their own language).

The workflow calls these inside its own transaction, so a step that fails leaves no notice;
e-mails leave only after commit (see :mod:`biocommunity.people.services.notices`). Each
notice links to the page where its reader acts: the self-assessment to fill in, the review to
write, the decision to take, the certificate to see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from biocommunity.assessment.models import Assessment, Certificate, Review, Round
from biocommunity.people.choices import NoticeKind
from biocommunity.people.services.notices import (
    Bilingual,
    notify,
    reviewer_users,
    secretariat_users,
    strip_language,
)
from biocommunity.registry.services.permissions import contacts_of


def _subject_name(assessment: Assessment | Certificate) -> Bilingual:
    """The organisation or community assessed, named in both languages."""
    subject = assessment.organization or assessment.community
    if subject is None:
        return Bilingual("", "")
    return Bilingual(subject.name_ja, subject.name_en)


def _round_title(round: Round) -> Bilingual:
    return Bilingual(round.title_ja, round.title_en)


def _path(name: str, *args: Any) -> str:
    return strip_language(reverse(name, args=args))


def _assessed_side(subject: Assessment | Certificate) -> list[Any]:
    """Those who answer for the assessed: the organisation's contacts; for a community, the
    secretariat (which fills in the community's self-assessment)."""
    if subject.organization is not None:
        return contacts_of(subject.organization)
    return secretariat_users()


def round_invitation(assessments: list[Assessment]) -> None:
    """Invite institutions to fill in their self-assessment (once the round is open)."""
    for assessment in assessments:
        if assessment.organization is None:
            continue  # a community round: the secretariat that opened it fills it in
        notify(
            contacts_of(assessment.organization),
            NoticeKind.ROUND_INVITATION,
            _(
                "%(organization)s is invited to the certification round “%(round)s”. "
                "Fill in its self-assessment by %(closes)s."
            ),
            params={
                "organization": _subject_name(assessment),
                "round": _round_title(assessment.round),
                "closes": assessment.round.closes_on.isoformat(),
            },
            path=_path("assessment:assessment", assessment.pk),
            subject=_("Invitation to the certification round “%(round)s”"),
        )


def assessment_submitted(
    assessment: Assessment, conflict_of_interest: Callable[[Any, Assessment], str | None]
) -> None:
    """Tell the secretariat, and assign the review to every reviewer free of conflict."""
    params = {"subject": _subject_name(assessment), "round": _round_title(assessment.round)}
    notify(
        secretariat_users(),
        NoticeKind.ASSESSMENT_SUBMITTED,
        _("%(subject)s submitted its self-assessment in the round “%(round)s”."),
        params=params,
        path=_path("assessment:assessment", assessment.pk),
    )
    notify(
        [r for r in reviewer_users() if conflict_of_interest(r, assessment) is None],
        NoticeKind.REVIEW_ASSIGNED,
        _("Please review the self-assessment of %(subject)s in the round “%(round)s”."),
        params=params,
        path=_path("assessment:review", assessment.pk),
        subject=_("Review assigned: %(subject)s"),
    )


def review_done(review: Review) -> None:
    """Tell the secretariat that a review is in, with a link to the decision."""
    reviewer = review.reviewer
    notify(
        secretariat_users(),
        NoticeKind.REVIEW_DONE,
        _("%(reviewer)s submitted a review of the self-assessment of %(subject)s (“%(round)s”)."),
        params={
            "reviewer": reviewer.get_full_name() or reviewer.get_username(),
            "subject": _subject_name(review.assessment),
            "round": _round_title(review.assessment.round),
        },
        path=_path("assessment:decide", review.assessment.pk),
    )


CERTIFICATE_TEXTS = {
    NoticeKind.CERTIFICATE_ISSUED: _(
        "%(subject)s is certified at the level “%(level)s” (certificate %(number)s, "
        "valid %(valid_from)s to %(valid_to)s)."
    ),
    NoticeKind.CERTIFICATE_REVISED: _(
        "The certificate of %(subject)s was revised: level “%(level)s”, certificate "
        "%(number)s, valid %(valid_from)s to %(valid_to)s. Reason: %(reason)s"
    ),
    NoticeKind.CERTIFICATE_REVOKED: _(
        "The certificate %(previous)s of %(subject)s was revoked. Reason: %(reason)s"
    ),
}


def certificate_changed(certificate: Certificate, kind: NoticeKind) -> None:
    """Tell the certified side that a certificate was issued, revised or revoked."""
    previous = certificate.supersedes
    notify(
        _assessed_side(certificate),
        kind,
        CERTIFICATE_TEXTS[kind],
        params={
            "subject": _subject_name(certificate),
            "level": Bilingual(certificate.level_ja, certificate.level_en),
            "number": certificate.number,
            "previous": previous.number if previous is not None else "",
            "valid_from": certificate.valid_from.isoformat(),
            "valid_to": certificate.valid_to.isoformat(),
            "reason": certificate.reason,
        },
        path=_path("assessment:certificate", certificate.number),
    )
