"""Certification endpoints: the public register, verification, rubrics, community standing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from biocommunity.assessment.models import Certificate
from biocommunity.assessment.services import register as reg
from biocommunity.assessment.services.community import assess_community
from biocommunity.assessment.services.rubrics import get_rubric, rubric_as_dict, shipped_rubrics
from biocommunity.registry.models import Community

router = Router(tags=["certification"])


@router.get("/certification/register", summary="Certificates in force today")
def certification_register(request: HttpRequest) -> list[dict[str, Any]]:
    return [reg.certificate_as_dict(s) for s in reg.register()]


@router.get(
    "/certification/certificates/{number}",
    summary="Verify a certificate: its status (valid, expired, superseded, revoked) and history",
)
def certificate(request: HttpRequest, number: str) -> dict[str, Any]:
    found = Certificate.objects.select_related("organization", "community").filter(number=number)
    item = found.first()
    if item is None:
        raise HttpError(404, f"number: no certificate {number[:40]}")
    data = reg.certificate_as_dict(reg.state_of(item))
    data["history"] = [h.number for h in reg.history(item)]
    return data


@router.get("/certification/rubrics", summary="The shipped rubric versions")
def rubrics(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"code": r.code, "version": r.version, "subject": r.subject, "sha256": r.sha256}
        for r in shipped_rubrics()
    ]


@router.get("/certification/rubrics/{code}/{version}", summary="A rubric with every criterion")
def rubric(request: HttpRequest, code: str, version: str) -> dict[str, Any]:
    try:
        return rubric_as_dict(get_rubric(code, version))
    except KeyError:
        raise HttpError(404, f"rubric: no rubric {code[:40]} {version[:20]}") from None


@router.get(
    "/certification/communities/{key}",
    summary="A community against the certification requirements (pass / fail / needs-evidence)",
)
def community_assessment(request: HttpRequest, key: str) -> dict[str, Any]:
    community = Community.objects.filter(key=key).first()
    if community is None:
        raise HttpError(404, f"key: no community {key[:40]}")
    return assess_community(community).as_dict()
