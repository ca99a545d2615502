"""Certification pages: thin callers of the services."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from biocommunity.assessment.forms import (
    CandidateSearchForm,
    DecisionForm,
    EvidenceForm,
    InviteForm,
    ParametersForm,
    RevokeForm,
    RoundForm,
)
from biocommunity.assessment.models import (
    Assessment,
    AssessmentStatus,
    AuditEntry,
    Certificate,
    Evidence,
    Review,
    ReviewStatus,
    Round,
)
from biocommunity.assessment.services import register as reg
from biocommunity.assessment.services import workflow as wf
from biocommunity.assessment.services.audit import audit_rows
from biocommunity.assessment.services.candidates import covered_kinds, find_candidates
from biocommunity.assessment.services.community import assess_community
from biocommunity.assessment.services.evidence import DOCUMENT_TYPES
from biocommunity.assessment.services.levels import level_for
from biocommunity.assessment.services.rubrics import get_rubric, shipped_rubrics
from biocommunity.assessment.services.thresholds import Threshold, thresholds_asked
from biocommunity.core import roles
from biocommunity.core.conditional import conditional_page
from biocommunity.core.templatetags.bilingual import current_language, pick
from biocommunity.registry.models import Community, Organization
from biocommunity.registry.services.organizations import default_community
from biocommunity.registry.services.permissions import member_organization


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [str(m) for errors in exc.message_dict.values() for m in errors]
    return [str(m) for m in exc.messages]


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    for message in _errors(exc):
        messages.error(request, message)


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# Public ----------------------------------------------------------------------------------------


@conditional_page
def register_page(request: HttpRequest) -> HttpResponse:
    states = reg.register()
    return render(
        request,
        "assessment/register.html",
        {
            "communities": [s for s in states if s.certificate.community_id],
            "institutions": [s for s in states if s.certificate.organization_id],
            "community": default_community(),
            "rubrics": shipped_rubrics(),
        },
    )


def _certificate(number: str) -> Certificate:
    return get_object_or_404(
        Certificate.objects.select_related("organization", "community", "round__community"),
        number=number,
    )


@conditional_page
def certificate_page(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _certificate(number)
    state = reg.state_of(certificate)
    badge_url = request.build_absolute_uri(reverse("assessment:badge", args=[certificate.number]))
    return render(
        request,
        "assessment/certificate.html",
        {
            "state": state,
            "c": certificate,
            "history": reg.history(certificate),
            "badge_url": badge_url,
            "page_url": request.build_absolute_uri(),
            "is_secretariat": roles.is_secretariat(request.user),
        },
    )


def badge(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _certificate(number)
    state = reg.state_of(certificate)
    language = request.GET.get("lang") or current_language()
    url = request.build_absolute_uri(reverse("assessment:certificate", args=[certificate.number]))
    response = HttpResponse(
        reg.badge_svg(state, "en" if language == "en" else "ja", url),
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def rubric_page(request: HttpRequest, code: str, version: str) -> HttpResponse:
    try:
        rubric = get_rubric(code, version)
    except KeyError:
        raise Http404(_("There is no such rubric.")) from None
    return render(request, "assessment/rubric.html", {"rubric": rubric})


@conditional_page
def community_page(request: HttpRequest, key: str) -> HttpResponse:
    community = get_object_or_404(Community, key=key)
    result = assess_community(community)
    return render(
        request,
        "assessment/community.html",
        {"community": community, "result": result, "data": result.for_page(current_language())},
    )


# Work space ------------------------------------------------------------------------------------


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "mine": wf.assessments_for(user),
        "organization": member_organization(user),
        "queue": wf.review_queue(user),
        "is_reviewer": roles.is_reviewer(user),
        "is_secretariat": roles.is_secretariat(user),
        "rounds": Round.objects.select_related("community") if roles.is_secretariat(user) else [],
        "to_decide": Assessment.objects.filter(status=AssessmentStatus.SUBMITTED)
        .select_related("round", "organization", "community")
        .annotate(reviews_in=Count("reviews", filter=Q(reviews__status=ReviewStatus.SUBMITTED)))
        if roles.is_secretariat(user)
        else [],
    }
    return render(request, "assessment/workspace.html", context)


@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    wf.require_secretariat(request.user)
    community = default_community()
    if community is None:
        raise Http404(_("No community is loaded yet: run 'biocommunity load-dataset gtb'."))
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code, version = form.rubric_key()
        try:
            new = wf.create_round(
                request.user,
                community=community,
                rubric_code=code,
                rubric_version=version,
                title_ja=form.cleaned_data["title_ja"],
                title_en=form.cleaned_data["title_en"],
                opens_on=form.cleaned_data["opens_on"],
                closes_on=form.cleaned_data["closes_on"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("The round was created. Set its thresholds and invite institutions.")
            )
            return redirect("assessment:round", new.pk)
    return render(
        request, "assessment/round_new.html", {"form": form}, status=400 if form.errors else 200
    )


def _candidate_search(request: HttpRequest, round: Round, rubric: Any) -> dict[str, Any]:
    """The invite search (name and kind) of the round page, run from the query string."""
    form = CandidateSearchForm(covered_kinds(rubric), request.GET or None)
    found = None
    if form.is_bound and form.is_valid():
        try:
            found = find_candidates(round, form.cleaned_data["q"], form.cleaned_data["kind"])
        except ValidationError as exc:
            _form_errors(form, exc)
    return {"search_form": form, "found": found}


def _threshold_fields(form: ParametersForm, thresholds: list[Threshold]) -> list[tuple[Any, Any]]:
    """Each threshold's field beside what it measures, in the form's order."""
    by_code = {t.parameter.code: t for t in thresholds}
    return [(form[name], by_code.get(name)) for name in form.fields]


def _round_url(round: Round, request: HttpRequest) -> str:
    """Back to the round, keeping the invite search so several can be invited in a row."""
    query = {k: request.GET[k] for k in ("q", "kind") if request.GET.get(k)}
    address = reverse("assessment:round", args=[round.pk])
    return f"{address}?{urlencode(query)}#invite" if query else address


@login_required
def round_page(request: HttpRequest, pk: int) -> HttpResponse:
    wf.require_secretariat(request.user)
    round = get_object_or_404(Round.objects.select_related("community"), pk=pk)
    rubric = wf.round_rubric(round)
    parameters = wf.parameters_needed(round)
    params_form = ParametersForm(parameters, round.parameters, prefix="p")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "parameters":
                params_form = ParametersForm(parameters, round.parameters, request.POST, prefix="p")
                if params_form.is_valid():
                    wf.set_parameters(request.user, round, params_form.cleaned_data)
                    messages.success(request, _("Thresholds saved."))
                    return redirect("assessment:round", round.pk)
            elif action == "invite":
                invite_form = InviteForm(rubric, request.POST)
                org = (
                    Organization.objects.filter(pk=invite_form.cleaned_data["organization"]).first()
                    if invite_form.is_valid()
                    else None
                )
                if org is None:
                    messages.error(
                        request, _("Pick the organisation and its institution type from the list.")
                    )
                else:
                    wf.invite(request.user, round, org, invite_form.cleaned_data["type_code"])
                    messages.success(
                        request, _("%(org)s was invited.") % {"org": pick(org, "name")}
                    )
                    return redirect(_round_url(round, request))
            elif action == "community":
                wf.add_community(request.user, round)
                return redirect("assessment:round", round.pk)
            elif action == "open":
                wf.open_round(request.user, round)
                messages.success(request, _("The round is open."))
                return redirect("assessment:round", round.pk)
            elif action == "close":
                wf.close_round(request.user, round)
                messages.success(request, _("The round is closed."))
                return redirect("assessment:round", round.pk)
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as exc:
            if action == "parameters":
                _form_errors(params_form, exc)
            else:
                _flash(request, exc)
        status = 400
    language = current_language()
    entries = round.audit.select_related(
        "actor", "assessment__organization", "assessment__community"
    ).order_by("-time", "-id")[:20]
    return render(
        request,
        "assessment/round.html",
        {
            "round": round,
            "rubric": rubric,
            "params_form": params_form,
            "threshold_fields": _threshold_fields(params_form, thresholds_asked(round, language)),
            "missing": wf.missing_parameters(round),
            "assessments": round.assessments.select_related("organization", "community"),
            "audit": audit_rows(entries, language),
            **_candidate_search(request, round, rubric),
        },
        status=status,
    )


def _assessment(pk: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.select_related("round__community", "organization", "community"), pk=pk
    )


def _criteria_rows(assessment: Assessment, language: str) -> list[dict[str, Any]]:
    rubric = wf.round_rubric(assessment.round)
    claims = {c.criterion: c for c in assessment.claims.prefetch_related("evidence")}
    stages = {s.code: s.name.get(language) for s in rubric.stages}
    rows = []
    kind = wf.assessment_type(assessment)
    axis_names = {a.code: a.name.get(language) for a in kind.axes}
    for criterion in wf.claimable_criteria(assessment):
        claim = claims.get(criterion.code)
        rows.append(
            {
                "criterion": criterion,
                "text": criterion.render(language, assessment.round.parameters),
                "axis": axis_names.get(criterion.axis, ""),
                "stage": stages.get(criterion.stage, ""),
                "claim": claim,
                "evidence": list(claim.evidence.all()) if claim else [],
            }
        )
    return rows


@login_required
def assessment_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(pk)
    wf.require_view_assessment(request.user, assessment)
    editable = False
    try:
        wf.require_edit_assessment(request.user, assessment)
        editable = True
    except (PermissionDenied, ValidationError):
        editable = False
    status = 200
    evidence_form = EvidenceForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "save" or action == "submit":
                claims = {
                    row["criterion"].code: (
                        request.POST.get(f"met-{row['criterion'].code}") == "on",
                        request.POST.get(f"statement-{row['criterion'].code}", "")[:4000],
                    )
                    for row in _criteria_rows(assessment, current_language())
                }
                wf.save_claims(request.user, assessment, claims)
                if action == "submit":
                    wf.submit_assessment(request.user, assessment)
                    messages.success(request, _("Submitted for review."))
                else:
                    messages.success(request, _("Draft saved."))
                return redirect("assessment:assessment", assessment.pk)
            if action == "evidence":
                evidence_form = EvidenceForm(request.POST, request.FILES)
                if evidence_form.is_valid():
                    data = evidence_form.cleaned_data
                    wf.add_evidence(
                        request.user,
                        assessment,
                        data["criterion"],
                        upload=data["file"],
                        url=data["url"],
                        observation_id=data["observation"],
                        figure=data["figure"],
                        note=data["note"],
                    )
                    messages.success(request, _("Evidence added."))
                    return redirect(
                        reverse("assessment:assessment", args=[assessment.pk])
                        + f"#c-{data['criterion']}"
                    )
                for field, errors in evidence_form.errors.items():
                    name = (
                        evidence_form.fields[field].label if field in evidence_form.fields else ""
                    )
                    for error in errors:
                        messages.error(request, f"{name}: {error}" if name else str(error))
            elif action == "remove-evidence":
                raw = request.POST.get("evidence", "")
                evidence = (
                    Evidence.objects.filter(pk=int(raw), claim__assessment=assessment).first()
                    if raw.isascii() and raw.isdigit() and len(raw) < 19
                    else None
                )
                if evidence is None:
                    raise ValidationError(
                        {"evidence": _("This evidence is not part of this self-assessment.")}
                    )
                wf.remove_evidence(request.user, evidence)
                messages.success(request, _("Evidence removed."))
                return redirect("assessment:assessment", assessment.pk)
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as exc:
            _flash(request, exc)
        status = 400
    language = current_language()
    rows = _criteria_rows(assessment, language)
    context: dict[str, Any] = {
        "assessment": assessment,
        "rows": rows,
        "editable": editable,
        "evidence_form": evidence_form,
        "accept": ",".join(sorted(DOCUMENT_TYPES)),
        "rubric": wf.round_rubric(assessment.round),
        "type_name": wf.assessment_type(assessment).name.get(language),
    }
    if assessment.organization_id:
        context["level"] = wf.claimed_level(assessment)
    context["my_review_allowed"] = (
        roles.is_reviewer(request.user)
        and wf.conflict_of_interest(request.user, assessment) is None
        and assessment.status == AssessmentStatus.SUBMITTED
    )
    context["can_decide"] = (
        roles.is_secretariat(request.user) and wf.decision_blocker(assessment) is None
    )
    return render(request, "assessment/assessment.html", context, status=status)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(Evidence.objects.select_related("claim__assessment"), pk=pk)
    wf.require_view_assessment(request.user, evidence.claim.assessment)
    if not evidence.file:
        raise Http404(_("This evidence has no file."))
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        # The record outlived its upload (a database restored without its media): say so.
        raise Http404(
            _("The file of this evidence is missing; ask the secretariat to restore it.")
        ) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or "evidence",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Score a submitted self-assessment; any other state is shown, never an error page."""
    assessment = _assessment(pk)
    if not roles.is_reviewer(request.user):
        raise PermissionDenied(_("Only reviewers score self-assessments."))
    conflict = wf.conflict_of_interest(request.user, assessment)
    if conflict:
        raise PermissionDenied(conflict)
    blocker = wf.review_blocker(request.user, assessment)
    language = current_language()
    # A draft stays private to its organisation: its claims are shown only once submitted.
    private = assessment.status in (AssessmentStatus.INVITED, AssessmentStatus.DRAFT)
    rows = [] if private else _criteria_rows(assessment, language)
    review = Review.objects.filter(assessment=assessment, reviewer_id=request.user.pk).first()
    scores = {s.criterion: s for s in review.scores.all()} if review else {}
    rubric = wf.round_rubric(assessment.round)
    status = 200
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        try:
            if blocker:
                raise ValidationError(blocker)
            wf.save_review(
                request.user,
                assessment,
                scores={
                    row["criterion"].code: (
                        request.POST.get(f"accept-{row['criterion'].code}") == "on",
                        request.POST.get(f"comment-{row['criterion'].code}", "")[:1000],
                    )
                    for row in rows
                },
                comment=request.POST.get("comment", "")[:4000],
                recommended_level=request.POST.get("recommended_level", ""),
                submit=submit,
            )
        except ValidationError as exc:
            _flash(request, exc)
            status = 400
        else:
            messages.success(request, _("Review submitted.") if submit else _("Review saved."))
            return redirect(
                "assessment:workspace" if submit else "assessment:review",
                *([] if submit else [assessment.pk]),
            )
    for row in rows:
        row["score"] = scores.get(row["criterion"].code)
    accepted = {code for code, s in scores.items() if s.accepted}
    return render(
        request,
        "assessment/review.html",
        {
            "assessment": assessment,
            "rows": rows,
            "review": review,
            "rubric": rubric,
            "blocker": blocker,
            "private": private,
            "certificates": _certificates_of(assessment),
            "type_name": wf.assessment_type(assessment).name.get(language),
            "level": level_for(rubric, wf.assessment_type(assessment), accepted)
            if review
            else None,
            "claimed": wf.claimed_level(assessment)
            if assessment.organization_id and not private
            else None,
        },
        status=status,
    )


def _certificates_of(assessment: Assessment) -> list[Certificate]:
    if assessment.status != AssessmentStatus.DECIDED:
        return []
    return list(assessment.certificates.order_by("decided_at", "id"))


@login_required
def decide_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee's decision; the form appears only where a decision is possible."""
    assessment = _assessment(pk)
    wf.require_secretariat(request.user)
    rubric = wf.round_rubric(assessment.round)
    summaries = wf.review_summaries(assessment)
    blocker = wf.decision_blocker(assessment, summaries)
    today = timezone.localdate()
    initial: dict[str, Any] = {"valid_from": today, "valid_to": today.replace(year=today.year + 3)}
    levels = {s.review.recommended_level for s in summaries if s.review.recommended_level}
    if len(levels) == 1:
        initial["level_code"] = levels.pop()
    form = DecisionForm(rubric, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if blocker:
            messages.error(request, blocker)
            status = 400
        elif form.is_valid():
            try:
                certificate = wf.decide(request.user, assessment, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request, _("Certificate %(number)s issued.") % {"number": certificate.number}
                )
                return redirect("assessment:certificate", certificate.number)
        if form.errors:
            status = 400
    language = current_language()
    criteria = wf.claimable_criteria(assessment)
    claims = {c.criterion: c for c in assessment.claims.all()}
    matrix = [
        {
            "criterion": c,
            "text": c.render(language, assessment.round.parameters),
            "claimed": bool(claims.get(c.code) and claims[c.code].met),
            "scores": [
                next((x for x in s.review.scores.all() if x.criterion == c.code), None)
                for s in summaries
            ],
        }
        for c in criteria
    ]
    level_names = {lv.code: lv.name.get(language) for lv in rubric.levels}
    columns = [
        {
            "summary": s,
            "recommended": level_names.get(s.review.recommended_level, s.review.recommended_level),
            "earned": level_names.get(s.level.level_code, s.level.level_code),
        }
        for s in summaries
    ]
    private = assessment.status in (AssessmentStatus.INVITED, AssessmentStatus.DRAFT)
    return render(
        request,
        "assessment/decide.html",
        {
            "assessment": assessment,
            "form": form,
            "blocker": blocker,
            "certificates": _certificates_of(assessment),
            "summaries": summaries,
            "columns": columns,
            "matrix": [] if private else matrix,
            "disagree": bool(summaries) and wf.reviewers_disagree(assessment, summaries),
        },
        status=status,
    )


@login_required
def revise_page(request: HttpRequest, number: str) -> HttpResponse:
    wf.require_secretariat(request.user)
    certificate = _certificate(number)
    rubric = wf.certificate_rubric(certificate)
    form = DecisionForm(
        rubric,
        request.POST or None,
        initial={
            "level_code": certificate.level_code,
            "valid_from": certificate.valid_from,
            "valid_to": certificate.valid_to,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = wf.revise(request.user, certificate, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Revision %(number)s issued.") % {"number": new.number})
            return redirect("assessment:certificate", new.number)
    return render(
        request,
        "assessment/revise.html",
        {"c": certificate, "form": form, "mode": "revise"},
        status=400 if form.errors else 200,
    )


@login_required
def revoke_page(request: HttpRequest, number: str) -> HttpResponse:
    wf.require_secretariat(request.user)
    certificate = _certificate(number)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = wf.revoke(request.user, certificate, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Certificate %(number)s revoked.") % {"number": number})
            return redirect("assessment:certificate", record.number)
    return render(
        request,
        "assessment/revise.html",
        {"c": certificate, "form": form, "mode": "revoke"},
        status=400 if form.errors else 200,
    )


@login_required
def audit_page(request: HttpRequest) -> HttpResponse:
    wf.require_secretariat(request.user)
    entries = (
        AuditEntry.objects.select_related(
            "actor",
            "round",
            "assessment__organization",
            "assessment__community",
            "certificate",
        )
        .defer("round__rubric_content")
        .order_by("-time", "-id")[:500]
    )
    return render(
        request, "assessment/audit.html", {"rows": audit_rows(entries, current_language())}
    )
