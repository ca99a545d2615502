"""Certification endpoints: the public register, verification, rubrics, community standing."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from biocommunity.assessment.models import Certificate
from biocommunity.assessment.services import register as reg
from biocommunity.assessment.services.community import assess_community
from biocommunity.assessment.services.rubrics import get_rubric, rubric_as_dict, shipped_rubrics
from biocommunity.core.api_errors import (
    LOOKUP_ERRORS,
    READ_ERRORS,
    ApiError,
    reject_unknown_parameters,
    responses,
)
from biocommunity.registry.models import Community

router = Router(tags=["certification"])
router.add_decorator(reject_unknown_parameters)


@router.get(
    "/certification/register",
    response=responses(list[dict[str, Any]], READ_ERRORS),
    summary="Certificates in force today",
)
def certification_register(request: HttpRequest) -> list[dict[str, Any]]:
    return [reg.certificate_as_dict(s) for s in reg.register()]


@router.get(
    "/certification/certificates/{number}",
    response=responses(dict[str, Any], LOOKUP_ERRORS),
    summary="Verify a certificate: its status (valid, expired, superseded, revoked) and history",
)
def certificate(request: HttpRequest, number: str) -> dict[str, Any]:
    found = Certificate.objects.select_related("organization", "community").filter(number=number)
    item = found.first()
    if item is None:
        raise ApiError(404, f"number: no certificate {number[:40]}", "number")
    data = reg.certificate_as_dict(reg.state_of(item))
    data["history"] = [h.number for h in reg.history(item)]
    return data


@router.get(
    "/certification/rubrics",
    response=responses(list[dict[str, Any]], READ_ERRORS),
    summary="The shipped rubric versions",
)
def rubrics(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"code": r.code, "version": r.version, "subject": r.subject, "sha256": r.sha256}
        for r in shipped_rubrics()
    ]


@router.get(
    "/certification/rubrics/{code}/{version}",
    response=responses(dict[str, Any], LOOKUP_ERRORS),
    summary="A rubric with every criterion",
)
def rubric(request: HttpRequest, code: str, version: str) -> dict[str, Any]:
    try:
        return rubric_as_dict(get_rubric(code, version))
    except KeyError:
        raise ApiError(404, f"rubric: no rubric {code[:40]} {version[:20]}", "code") from None


@router.get(
    "/certification/communities/{key}",
    response=responses(dict[str, Any], LOOKUP_ERRORS),
    summary="A community against the certification requirements (pass / fail / needs-evidence)",
)
def community_assessment(request: HttpRequest, key: str) -> dict[str, Any]:
    community = Community.objects.filter(key=key).first()
    if community is None:
        raise ApiError(404, f"key: no community {key[:40]}", "key")
    return assess_community(community).as_dict()
