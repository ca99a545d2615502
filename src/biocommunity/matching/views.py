"""Matching pages: thin callers of the matching services, which hold every permission rule."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from biocommunity.core import roles
from biocommunity.core.downloads import TABLE_FORMATS, attachment
from biocommunity.core.imports import import_view
from biocommunity.matching.choices import IntroductionStatus, ProfileKind
from biocommunity.matching.forms import (
    AnswerForm,
    BrowseForm,
    IntroductionRequestForm,
    MeetingForm,
    ProfileForm,
    SearchForm,
)
from biocommunity.matching.models import Introduction, Profile, SavedSearch
from biocommunity.matching.services import introductions, profiles, saved_searches, search
from biocommunity.matching.services import visibility as vis
from biocommunity.registry.models import ImportRun
from biocommunity.registry.services.permissions import member_organization, require_secretariat

PROFILES_PER_PAGE = 20
# Filters the search form sends; everything else in the address is refused by the service.
SEARCH_FIELDS = ("q", "kind", "domain", "stage", "hub", "capability_type", "gmp")


def _form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    for errors in exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]:
        for message in errors:
            messages.error(request, message)


def _invalid(form: Any) -> ValidationError:
    """A bound form's errors as the ValidationError a service would raise."""
    return ValidationError({field: list(errors) for field, errors in form.errors.items()})


def _params(query: QueryDict) -> dict[str, list[str]]:
    return {name: query.getlist(name) for name in query}


def _can_post(user: Any) -> bool:
    """Whether to offer the posting form; ``profiles.create_profile`` enforces the same rule."""
    return roles.is_secretariat(user) or member_organization(user) is not None


# ---------------------------------------------------------------- search


def _run_search(request: HttpRequest) -> dict[str, Any]:
    """The search the address asks for: matches, or the QueryError that stopped it."""
    params = _params(request.GET)
    if not any(params.get(name) for name in SEARCH_FIELDS) and "q" not in params:
        return {"searched": False, "matches": [], "error": None}
    try:
        filters = search.parse_filters(params)
        matches = search.search(request.user, request.GET.get("q", ""), filters=filters, k=20)
    except search.QueryError as exc:
        return {"searched": True, "matches": [], "error": exc}
    return {"searched": True, "matches": matches, "error": None, "filters": filters}


def _search_context(request: HttpRequest) -> dict[str, Any]:
    result = _run_search(request)
    initial = {
        name: request.GET.getlist(name) if name == "kind" else request.GET.get(name, "")
        for name in SEARCH_FIELDS
    }
    user = request.user
    return {
        **result,
        "form": SearchForm(initial=initial),
        "can_post": _can_post(user),
        "saved": SavedSearch.objects.filter(user=user).select_related("market_domain")
        if user.is_authenticated
        else [],
        "can_save": user.is_authenticated and result["searched"] and result["error"] is None,
        "form_fields": SEARCH_FIELDS,
    }


def index(request: HttpRequest) -> HttpResponse:
    context = _search_context(request)
    status = 400 if context["error"] is not None else 200
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    template = "matching/_results.html" if partial else "matching/index.html"
    response = render(request, template, {**context, "partial": partial}, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_POST
def save_search(request: HttpRequest) -> HttpResponse:
    """Save the search shown; either way, back to it (errors as messages: nothing was typed
    into this form, so there is nothing to re-show)."""
    back = QueryDict(mutable=True)
    for name in SEARCH_FIELDS:
        back.setlist(name, request.POST.getlist(name))
    try:
        saved_searches.save_search(
            request.user,
            request.POST.get("q", ""),
            kinds=request.POST.getlist("kind"),
            domain=request.POST.get("domain", ""),
        )
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(
            request, _("Search saved: you will get an email when a new profile matches.")
        )
    return redirect(reverse("matching:index") + "?" + back.urlencode())


@login_required
@require_POST
def delete_search(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch, pk=pk)
    try:
        saved_searches.delete_search(request.user, saved)
    except SavedSearch.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Saved search deleted."))
    return redirect("matching:index")


# ---------------------------------------------------------------- browse and detail


def profile_list(request: HttpRequest) -> HttpResponse:
    params = _params(request.GET)
    mine = params.pop("mine", None) is not None
    own = member_organization(request.user)
    queryset = vis.visible_profiles(request.user).select_related(
        "organization", "market_domain", "hub"
    )
    status, error = 200, None
    try:
        queryset = search.parse_filters(params).apply(queryset)
    except search.QueryError as exc:
        status, error = 400, exc
        queryset = queryset.none()
    if mine:
        queryset = queryset.filter(organization=own) if own else queryset.none()
    page = Paginator(queryset.order_by("-updated_at", "-pk"), PROFILES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "matching/profiles.html",
        {
            "page": page,
            "error": error,
            "mine": mine,
            "own": own,
            "form": BrowseForm(initial={k: request.GET.get(k, "") for k in ("kind", "domain")}),
            "can_post": _can_post(request.user),
            "formats": list(TABLE_FORMATS),
        },
        status=status,
    )


def _visible_or_404(request: HttpRequest, pk: int) -> Profile:
    try:
        return vis.get_visible(request.user, pk)
    except Profile.DoesNotExist:
        raise Http404(_("There is no such profile.")) from None


def _request_form(request: HttpRequest, profile: Profile, data: Any = None) -> Any:
    """The introduction form for members of another organisation, else None."""
    own = member_organization(request.user)
    if own is None or own.pk == profile.organization_id:
        return None
    return IntroductionRequestForm(
        data, own_profiles=Profile.objects.filter(organization=own).order_by("-updated_at")
    )


def _profile_page(
    request: HttpRequest, profile: Profile, *, intro_form: Any = None, status: int = 200
) -> HttpResponse:
    user = request.user
    try:
        matches = search.matches_for(user, profile)
    except search.QueryError:
        matches = []
    asked = (
        list(introductions.introductions_for(user).filter(profile=profile))
        if user.is_authenticated
        else []
    )
    return render(
        request,
        "matching/profile.html",
        {
            "profile": profile,
            "can_edit": vis.can_edit(user, profile),
            "matches": matches,
            "intro_form": intro_form or _request_form(request, profile),
            "asked": asked,
            # One open request per organisation: no second form while it waits.
            "waiting": any(a.status == IntroductionStatus.REQUESTED for a in asked),
        },
        status=status,
    )


def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _profile_page(request, _visible_or_404(request, pk))


@login_required
@require_POST
def request_introduction(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _visible_or_404(request, pk)
    form = _request_form(request, profile, request.POST)
    if form is None:
        raise PermissionDenied(_("Only members of another organisation can ask to be introduced."))
    if form.is_valid():
        try:
            introductions.request_introduction(
                request.user,
                profile,
                form.cleaned_data["message"],
                from_profile=form.cleaned_data.get("from_profile"),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except Profile.DoesNotExist:
            raise Http404(_("There is no such profile.")) from None
        else:
            messages.success(
                request, _("Your request was sent. You will see the answer under Introductions.")
            )
            return redirect("matching:profile", profile.pk)
    return _profile_page(request, profile, intro_form=form, status=400)


@login_required
def profile_new(request: HttpRequest) -> HttpResponse:
    if not _can_post(request.user):
        raise PermissionDenied(_("Only members of an organisation can post profiles."))
    secretariat = roles.is_secretariat(request.user)
    kind = request.GET.get("kind", "")
    form = ProfileForm(
        request.POST or None,
        choose_organization=secretariat,
        initial={"kind": kind} if kind in ProfileKind.values else {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            profile = profiles.create_profile(
                request.user,
                form.profile_data(),
                organization=form.cleaned_data.get("organization"),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("matching:profile", profile.pk)
    return render(
        request,
        "matching/profile_form.html",
        {"form": form, "profile": None},
        status=400 if form.errors else 200,
    )


@login_required
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _visible_or_404(request, pk)
    vis.require_edit(request.user, profile)
    initial = {name: getattr(profile, name) for name in profiles.EDITABLE_FIELDS}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            profile = profiles.update_profile(request.user, profile, form.profile_data())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("matching:profile", profile.pk)
    return render(
        request,
        "matching/profile_form.html",
        {"form": form, "profile": profile},
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------- introductions


def _introduction_rows(request: HttpRequest, items: Any) -> list[dict[str, Any]]:
    user = request.user
    rows = []
    waiting: dict[int, bool] = {}  # organisation → nobody answers for it (asked once each)
    for intro in items:
        recipient = introductions.is_recipient(user, intro)
        requester = introductions.is_requester(user, intro)
        open_ = intro.status == IntroductionStatus.REQUESTED
        organization_id = intro.profile.organization_id
        if open_ and organization_id not in waiting:
            waiting[organization_id] = introductions.awaits_forwarding(intro)
        rows.append(
            {
                "intro": intro,
                "awaits_forwarding": open_ and waiting[organization_id],
                "forwardings": list(intro.forwardings.all()),
                "contacts": introductions.revealed_contacts(user, intro),
                "can_answer": recipient and open_,
                "can_withdraw": requester and open_,
                "can_record": intro.status == IntroductionStatus.ACCEPTED
                and (recipient or requester or roles.is_secretariat(user)),
            }
        )
    return rows


def _introductions_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    user = request.user
    everything = list(
        introductions.introductions_for(user)
        .select_related("decided_by")
        .prefetch_related("forwardings__forwarded_by")
    )
    received = [i for i in everything if introductions.is_recipient(user, i)]
    sent = [i for i in everything if introductions.is_requester(user, i)]
    others = (
        [i for i in everything if i not in received and i not in sent]
        if roles.is_secretariat(user)
        else []
    )
    return render(
        request,
        "matching/introductions.html",
        {
            "received": _introduction_rows(request, received),
            "sent": _introduction_rows(request, sent),
            "others": _introduction_rows(request, others),
            "answer_form": AnswerForm(),
            "meeting_form": MeetingForm(),
        },
        status=status,
    )


@login_required
def introduction_list(request: HttpRequest) -> HttpResponse:
    return _introductions_page(request)


@login_required
@require_POST
def introduction_action(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        intro = introductions.get_introduction(request.user, pk)
    except Introduction.DoesNotExist:
        raise Http404(_("There is no such introduction.")) from None
    action = request.POST.get("action")
    try:
        if action in ("accept", "decline"):
            form = AnswerForm(request.POST)
            if not form.is_valid():
                raise _invalid(form)
            introductions.answer_introduction(
                request.user, intro, accept=action == "accept", reply=form.cleaned_data["reply"]
            )
            messages.success(
                request,
                _("Accepted: both sides now see each other's contacts.")
                if action == "accept"
                else _("Declined."),
            )
        elif action == "withdraw":
            introductions.withdraw_introduction(request.user, intro)
            messages.success(request, _("Request withdrawn."))
        elif action == "meeting":
            meeting = MeetingForm(request.POST)
            if not meeting.is_valid():
                raise _invalid(meeting)
            introductions.record_meeting(
                request.user, intro, meeting.cleaned_data["meeting_held_on"]
            )
            messages.success(request, _("Meeting recorded."))
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as exc:
        _flash(request, exc)
        return _introductions_page(request, status=400)
    return redirect("matching:introductions")


# ---------------------------------------------------------------- secretariat


@login_required
def forwarding(request: HttpRequest) -> HttpResponse:
    """The secretariat's queue of requests to organisations nobody answers for on the platform."""
    queue = introductions.forwarding_queue(request.user)
    status = 200
    failed: int | None = None
    failed_errors: list[str] = []
    if request.method == "POST":
        raw = request.POST.get("introduction", "")
        target = next((i for i in queue if raw.isdigit() and i.pk == int(raw)), None)
        if target is None:
            messages.error(request, _("This request is no longer waiting to be forwarded."))
            status = 400
        else:
            try:
                introductions.record_forwarding(request.user, target, request.POST.get("note", ""))
            except ValidationError as exc:
                failed = target.pk
                failed_errors = [m for ms in exc.message_dict.values() for m in ms]
                status = 400
            else:
                messages.success(request, _("Recorded as forwarded."))
                return redirect(reverse("matching:forwarding") + f"#intro-{target.pk}")
    return render(
        request,
        "matching/forwarding.html",
        {
            "queue": queue,
            "failed": failed,
            "failed_errors": failed_errors,
            "note": request.POST.get("note", "") if failed else "",
        },
        status=status,
    )


@login_required
def pipeline(request: HttpRequest) -> HttpResponse:
    rows = introductions.pipeline(request.user)
    community = settings.BIOCOMMUNITY_DEFAULT_COMMUNITY
    status = 200
    if request.method == "POST":
        try:
            written = introductions.record_pipeline(request.user, community_key=community)
        except ObjectDoesNotExist:
            messages.error(
                request,
                _("No community has the key %(key)s: load the dataset first.") % {"key": community},
            )
            status = 400
        else:
            messages.success(
                request,
                _("Recorded %(n)s observations in the indicators for %(key)s.")
                % {"n": written, "key": community},
            )
            return redirect("matching:pipeline")
    return render(
        request,
        "matching/pipeline.html",
        {"rows": rows, "community": community, "indicators": introductions.pipeline_indicators()},
        status=status,
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    require_secretariat(request.user)
    runs = ImportRun.objects.select_related("user").filter(kind="matching-profiles")[:10]
    return import_view(
        request,
        profiles.import_profiles,
        "matching/import.html",
        {"runs": runs, "columns": profiles.IMPORT_COLUMNS, "formats": list(TABLE_FORMATS)},
    )


def export(request: HttpRequest) -> HttpResponse:
    """The profiles the user may see (the service restricts), optionally filtered like the
    browse list."""
    fmt = request.GET.get("format", "csv")
    if fmt not in TABLE_FORMATS:
        return HttpResponse(
            _("Unknown format: use csv, json or xlsx."), status=400, content_type="text/plain"
        )
    params = {k: v for k, v in _params(request.GET).items() if k in ("kind", "domain")}
    try:
        filters = search.parse_filters(params)
    except search.QueryError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain")
    selection = filters.apply(vis.visible_profiles(request.user)) if params else None
    return attachment(
        profiles.export_profiles(request.user, fmt, selection), f"matching-profiles.{fmt}"
    )
