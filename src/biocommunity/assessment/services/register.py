"""The public side: which certificates are in force, their history, and the badge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biocommunity.assessment.models import Certificate, CertificateKind

STATUS_LABELS = {
    "valid": _("Valid"),
    "expired": _("Expired"),
    "not_yet_valid": _("Not yet valid"),
    "superseded": _("Superseded by a revision"),
    "revoked": _("Revoked"),
    "revocation": _("Revocation record"),
}


@dataclass(frozen=True)
class CertificateState:
    certificate: Certificate
    status: str
    successor: Certificate | None

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"


def state_of(certificate: Certificate, on: date | None = None) -> CertificateState:
    day = on or timezone.localdate()
    if certificate.kind == CertificateKind.REVOCATION:
        return CertificateState(certificate, "revocation", None)
    successor = certificate.successors.order_by("-id").first()
    if successor is not None:
        status = "revoked" if successor.kind == CertificateKind.REVOCATION else "superseded"
        return CertificateState(certificate, status, successor)
    if day < certificate.valid_from:
        return CertificateState(certificate, "not_yet_valid", None)
    if day > certificate.valid_to:
        return CertificateState(certificate, "expired", None)
    return CertificateState(certificate, "valid", None)


def history(certificate: Certificate) -> list[Certificate]:
    """The chain this certificate belongs to, oldest first (issue → revisions → revocation)."""
    first = certificate
    while first.supersedes_id is not None:
        first = Certificate.objects.get(pk=first.supersedes_id)
    chain = [first]
    while True:
        nxt = Certificate.objects.filter(supersedes=chain[-1]).order_by("id").first()
        if nxt is None:
            return chain
        chain.append(nxt)


def certificates_in_force(on: date | None = None) -> list[Certificate]:
    """Issued or revised, inside their dates, and neither superseded nor revoked (two queries)."""
    day = on or timezone.localdate()
    replaced = set(
        Certificate.objects.filter(supersedes__isnull=False).values_list("supersedes_id", flat=True)
    )
    return [
        c
        for c in Certificate.objects.exclude(kind=CertificateKind.REVOCATION)
        .filter(valid_from__lte=day, valid_to__gte=day)
        .select_related("organization", "community")
        if c.pk not in replaced
    ]


def register(on: date | None = None) -> list[CertificateState]:
    """Certificates in force, communities first, then institutions by type and level."""
    in_force = sorted(
        certificates_in_force(on),
        key=lambda c: (c.organization_id is not None, c.type_code, c.level_code, c.number),
    )
    return [CertificateState(c, "valid", None) for c in in_force]


def all_records() -> QuerySet[Certificate]:
    return Certificate.objects.select_related("organization", "community", "supersedes")


def certificate_as_dict(state: CertificateState) -> dict[str, Any]:
    c = state.certificate
    subject = c.organization or c.community
    return {
        "number": c.number,
        "kind": c.kind,
        "status": state.status,
        "subject": {
            "type": "organization" if c.organization_id else "community",
            "key": getattr(subject, "key", ""),
            "ja": getattr(subject, "name_ja", ""),
            "en": getattr(subject, "name_en", ""),
        },
        "institution_type": {"code": c.type_code, "ja": c.type_ja, "en": c.type_en},
        "level": {"code": c.level_code, "ja": c.level_ja, "en": c.level_en}
        if c.level_code
        else None,
        "rubric": {"code": c.rubric_code, "version": c.rubric_version},
        "valid_from": c.valid_from.isoformat(),
        "valid_to": c.valid_to.isoformat(),
        "reason": c.reason,
        "supersedes": c.supersedes.number if c.supersedes_id and c.supersedes else None,
        "superseded_by": state.successor.number if state.successor else None,
        "decided_at": c.decided_at.isoformat(),
    }


def _text_width(text: str, size: float) -> float:
    # Wide (CJK) characters take about one em, Latin about 0.6 em.
    return sum(size if ord(ch) > 0x2E7F else size * 0.56 for ch in text)


def badge_svg(state: CertificateState, language: str, verify_url: str) -> str:
    """A small badge: the community's mark on the left, the level (or status) on the right."""
    c = state.certificate
    owner = c.community or (c.round.community if c.round is not None else None)
    left = (owner.short_name or owner.key.upper()) if owner is not None else "biocommunity"
    label = (c.level_en if language == "en" else c.level_ja) or (
        c.type_en if language == "en" else c.type_ja
    )
    certified = "Certified" if language == "en" else "認定"
    right = f"{certified} {label}" if state.is_valid else state.label
    colour = "#2e7d32" if state.is_valid else "#9e9e9e"
    size = 11.0
    left_w = _text_width(left, size) + 12
    right_w = _text_width(right, size) + 12
    width = left_w + right_w
    title = f"{left}: {right} ({c.number})"
    quoteattr_value = escape(title, {'"': "&quot;"})
    font = "Noto Sans CJK JP, Noto Sans, sans-serif"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="{width:.0f}" height="20" role="img" aria-label="{quoteattr_value}">'
        f"<title>{escape(title)}</title>"
        f'<a xlink:href="{escape(verify_url)}" href="{escape(verify_url)}" target="_top">'
        f'<rect width="{left_w:.0f}" height="20" rx="3" fill="#1f3a5f"/>'
        f'<rect x="{left_w - 3:.0f}" width="{right_w + 3:.0f}" height="20" rx="3" fill="{colour}"/>'
        f'<g fill="#fff" font-family="{font}" font-size="{size:.0f}">'
        f'<text x="6" y="14">{escape(left)}</text>'
        f'<text x="{left_w + 6:.0f}" y="14">{escape(right)}</text>'
        "</g></a></svg>"
    )
