"""Matching endpoints: search, profiles, their matches, introductions and the pipeline.

Every answer goes through the matching services, so the visibility rule and the permission
rules are the pages' own. Reads work with or without a session (a session shows what its user
may see); writes need a logged-in session and its CSRF token, as the pages' scripts send it.

Errors are JSON, ``{"detail": message, "field": parameter or null, "errors": {field: [...]}}``:
400 for a request that cannot be read (an unknown parameter or field, a bad value, not JSON),
401 without a session where one is needed, 403 when the rules refuse, 404 for a missing *or
hidden* profile (the same answer, so a hidden profile's existence does not leak), and 422 when
a profile or introduction breaks a rule about its content.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from biocommunity.core import roles
from biocommunity.core.api_errors import ApiError, ErrorOut, session_auth
from biocommunity.matching.choices import COUNTERPARTS, IntroductionStatus
from biocommunity.matching.engine.index import MODES
from biocommunity.matching.models import Introduction, Profile
from biocommunity.matching.services import introductions, profiles, search
from biocommunity.matching.services import visibility as vis
from biocommunity.registry.models import Hub, MarketDomain, Organization
from biocommunity.registry.services.permissions import member_organization

router = Router(tags=["matching"])

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Largest id the API looks up: beyond it SQLite's integers overflow.
MAX_ID = 2**63 - 1
ID_PATTERN = re.compile(r"[0-9]{1,18}")


# ---------------------------------------------------------------- errors


# Model field → the API's name for it.
API_FIELD = {"market_domain": "domain", "meeting_held_on": "held_on"}


def _from_validation_error(exc: ValidationError) -> ApiError:
    if hasattr(exc, "error_dict"):
        # Errors by field first: they say what to change.
        items = sorted(exc.message_dict.items(), key=lambda item: item[0] == "__all__")
        errors = {
            (None if name == "__all__" else API_FIELD.get(name, name)): list(messages)
            for name, messages in items
        }
    else:
        errors = {None: list(exc.messages)}
    field, messages = next(iter(errors.items()))
    return ApiError(
        422,
        messages[0] if messages else "Invalid value.",
        field,
        {name or "": msgs for name, msgs in errors.items()},
    )


def _not_found_profile() -> ApiError:
    return ApiError(404, _("There is no such profile."), "id")


def _answer(exc: ApiError) -> Status[dict[str, Any]]:
    return Status(exc.status, exc.body())


def _answers(view: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the services' refusals into JSON answers (added to every operation below)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, **kwargs)
        except ApiError as exc:
            return _answer(exc)
        except search.QueryError as exc:
            return _answer(ApiError(400, exc.message, exc.field))
        except ValidationError as exc:
            return _answer(_from_validation_error(exc))
        except PermissionDenied as exc:
            return _answer(ApiError(403, str(exc) or "Forbidden."))
        except Profile.DoesNotExist:
            return _answer(_not_found_profile())
        except Introduction.DoesNotExist:
            return _answer(ApiError(404, _("There is no such introduction."), "id"))

    return wrapper


router.add_decorator(_answers)


ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


def _responses(ok: Any, status: int = 200) -> dict[int, Any]:
    return {status: ok, **ERRORS}


# ---------------------------------------------------------------- reading requests


def _check_params(request: HttpRequest, allowed: Iterable[str]) -> None:
    known = set(allowed)
    for name, values in request.GET.lists():
        if name not in known:
            raise ApiError(
                400,
                f"Unknown parameter '{name[:40]}'. Known parameters: {', '.join(sorted(known))}.",
                name[:40],
            )
        if any("\x00" in value for value in values):
            # PostgreSQL refuses NUL in a string: the lookup would fail, not find nothing.
            raise ApiError(400, f"{name}: contains a NUL character.", name)


def _last(request: HttpRequest, name: str, default: str = "") -> str:
    values = request.GET.getlist(name)
    return values[-1].strip() if values else default


def _integer(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    raw = _last(request, name)
    if not raw:
        return default
    if not ID_PATTERN.fullmatch(raw) or not low <= int(raw) <= high:
        raise ApiError(400, f"{name} must be a whole number from {low} to {high}.", name)
    return int(raw)


def _pk(raw: str) -> int:
    """A path id; anything that is not one answers like a missing profile."""
    if not ID_PATTERN.fullmatch(raw) or not 1 <= int(raw) <= MAX_ID:
        raise _not_found_profile()
    return int(raw)


def _filter_params(request: HttpRequest) -> dict[str, list[str]]:
    return {name: request.GET.getlist(name) for name in search.FILTER_NAMES if name in request.GET}


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _find_nul(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, list):
        for item in value:
            found = _find_nul(item, path)
            if found:
                return found
    return None


Body = TypeVar("Body", bound=BaseModel)


def _body(request: HttpRequest, model: type[Body]) -> Body:
    """The JSON object in the request body, read into ``model`` (an empty body is ``{}``)."""
    raw = request.body
    data: Any = {}
    if raw.strip():
        try:
            data = json.loads(raw, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "The request body is not JSON.", "body") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object.", "body")
    for name, value in data.items():
        if _find_nul(value, str(name)):
            raise ApiError(400, f"{name}: contains a NUL character.", str(name)[:40])
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "body"
        raise ApiError(400, f"{field}: {first['msg']}", field[:40]) from None


def _body_doc(model: type[BaseModel], required: bool = True) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": required,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


# ---------------------------------------------------------------- shapes


class OrganizationRef(Schema):
    key: str
    name_ja: str
    name_en: str


class DomainRef(Schema):
    key: str
    number: int
    name_ja: str
    name_en: str


class HubRef(Schema):
    key: str
    name_ja: str
    name_en: str


class ConceptOut(Schema):
    key: str
    ja: str
    en: str


class ExplanationOut(Schema):
    concepts: list[ConceptOut]
    words: list[str]
    similarity: float | None


class MatchOut(Schema):
    rank: int
    id: int
    kind: str
    capability_type: str
    title_ja: str
    title_en: str
    organization: OrganizationRef
    domain: DomainRef | None
    stage: str
    trl: int | None
    hub: HubRef | None
    languages: list[str]
    score: float
    lexical: float
    dense: float
    explanation: ExplanationOut


class SearchOut(Schema):
    query: str
    mode: str
    k: int
    count: int
    results: list[MatchOut]


class MatchesOut(Schema):
    profile: int
    kinds: list[str]
    count: int
    results: list[MatchOut]


class ProfileOut(Schema):
    id: int
    kind: str
    capability_type: str
    title_ja: str
    title_en: str
    body_ja: str
    body_en: str
    organization: OrganizationRef
    domain: DomainRef | None
    tags: list[str]
    stage: str
    trl: int | None
    scale_min_litres: float | None
    scale_max_litres: float | None
    gmp: bool | None
    hub: HubRef | None
    visibility: str
    status: str
    expires_on: date | None
    languages: list[str]
    source: str
    as_of: str
    created_at: datetime
    updated_at: datetime
    can_edit: bool
    # Only for the owner organisation's members and the secretariat: absent otherwise.
    contact_name: str | None = None
    contact_email: str | None = None


class ProfilePage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[ProfileOut]


class ProfileRef(Schema):
    id: int
    kind: str
    title_ja: str
    title_en: str


class ContactOut(Schema):
    organization: str
    name: str
    email: str


class ContactsOut(Schema):
    profile: ContactOut
    requester: ContactOut


class IntroductionOut(Schema):
    id: int
    status: str
    # The profiles, when the viewer may (still) see them; null otherwise.
    profile: ProfileRef | None
    from_profile: ProfileRef | None
    organization: OrganizationRef
    requester_organization: OrganizationRef
    message: str
    reply: str
    created_at: datetime
    decided_at: datetime | None
    meeting_held_on: date | None
    role: str
    can_answer: bool
    can_withdraw: bool
    can_record_meeting: bool
    # Both sides' contacts: only once accepted, only to the two sides and the secretariat.
    contacts: ContactsOut | None = None


class IntroductionPage(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    results: list[IntroductionOut]


class PipelineYear(Schema):
    period: str
    requested: int
    accepted: int
    declined: int
    meetings: int


class PipelineOut(Schema):
    years: list[PipelineYear]
    total: PipelineYear
    indicators: list[str]


def _organization(org: Organization) -> dict[str, Any]:
    return {"key": org.key, "name_ja": org.name_ja, "name_en": org.name_en}


def _domain(domain: MarketDomain | None) -> dict[str, Any] | None:
    if domain is None:
        return None
    return {
        "key": domain.key,
        "number": domain.number,
        "name_ja": domain.name_ja,
        "name_en": domain.name_en,
    }


def _hub(hub: Hub | None) -> dict[str, Any] | None:
    if hub is None:
        return None
    return {"key": hub.key, "name_ja": hub.name_ja, "name_en": hub.name_en}


def _litres(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _profile(profile: Profile, user: Any, *, secretariat: bool | None = None) -> dict[str, Any]:
    if secretariat is None:
        secretariat = roles.is_secretariat(user)
    record: dict[str, Any] = {
        "id": profile.pk,
        "kind": profile.kind,
        "capability_type": profile.capability_type,
        "title_ja": profile.title_ja,
        "title_en": profile.title_en,
        "body_ja": profile.body_ja,
        "body_en": profile.body_en,
        "organization": _organization(profile.organization),
        "domain": _domain(profile.market_domain),
        "tags": profile.tag_list,
        "stage": profile.stage,
        "trl": profile.trl,
        "scale_min_litres": _litres(profile.scale_min_litres),
        "scale_max_litres": _litres(profile.scale_max_litres),
        "gmp": profile.gmp,
        "hub": _hub(profile.hub),
        "visibility": profile.visibility,
        "status": profile.status,
        "expires_on": profile.expires_on,
        "languages": profile.languages,
        "source": profile.source,
        "as_of": profile.as_of,
        "created_at": profile.created_at,
        "updated_at": profile.updated_at,
        "can_edit": secretariat or vis.is_owner(user, profile),
    }
    if secretariat or vis.is_owner(user, profile):
        record["contact_name"] = profile.contact_name
        record["contact_email"] = profile.contact_email
    return record


def _match(match: search.Match) -> dict[str, Any]:
    profile = match.profile
    return {
        "rank": match.rank,
        "id": profile.pk,
        "kind": profile.kind,
        "capability_type": profile.capability_type,
        "title_ja": profile.title_ja,
        "title_en": profile.title_en,
        "organization": _organization(profile.organization),
        "domain": _domain(profile.market_domain),
        "stage": profile.stage,
        "trl": profile.trl,
        "hub": _hub(profile.hub),
        "languages": profile.languages,
        "score": round(match.score, 6),
        "lexical": round(match.lexical, 6),
        "dense": round(match.dense, 6),
        "explanation": match.explanation.as_dict(),
    }


def _page(queryset: QuerySet[Any], request: HttpRequest) -> tuple[list[Any], dict[str, int]]:
    page = _integer(request, "page", 1, 1, 100_000)
    page_size = _integer(request, "page_size", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    total = queryset.count()
    start = (page - 1) * page_size
    rows = list(queryset[start : start + page_size])
    return rows, {
        "count": total,
        "page": page,
        "page_size": page_size,
        "pages": max(1, -(-total // page_size)),
    }


# ---------------------------------------------------------------- search


@router.get(
    "/search",
    response=_responses(SearchOut),
    summary="Search profiles in Japanese or English (hybrid, lexical or dense), explained",
)
def search_profiles(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    capability_type: str = "",
    domain: str = "",
    stage: str = "",
    hub: str = "",
    gmp: str = "",
    lang: str = "",
    k: str = "10",
    mode: str = "hybrid",
) -> dict[str, Any]:
    """Filters (comma-separated or repeated for kind, capability_type and stage) select the
    profiles the session may see before ranking; unknown parameters are refused."""
    _check_params(request, [*search.FILTER_NAMES, "q", "k", "mode"])
    chosen_mode = _last(request, "mode", "hybrid")
    if chosen_mode not in MODES:
        raise ApiError(400, f"mode must be one of {', '.join(MODES)}.", "mode")
    size = _integer(request, "k", 10, 1, search.MAX_RESULTS)
    filters = search.parse_filters(_filter_params(request))
    query = request.GET.get("q", "")
    matches = search.search(
        request.user,
        query,
        filters=filters,
        k=size,
        mode=chosen_mode,  # type: ignore[arg-type]
    )
    return {
        "query": query.strip(),
        "mode": chosen_mode,
        "k": size,
        "count": len(matches),
        "results": [_match(m) for m in matches],
    }


# ---------------------------------------------------------------- profiles


class ProfileIn(BaseModel):
    """A profile's fields; on update, only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    organization: str | None = Field(
        None, description="Registry key; the secretariat names it, a member may omit it."
    )
    kind: str | None = None
    capability_type: str | None = None
    title_ja: str | None = None
    title_en: str | None = None
    body_ja: str | None = None
    body_en: str | None = None
    domain: str | int | None = Field(None, description="Market-domain key or number.")
    tags: str | list[str] | None = Field(None, description="'a; b' or a list.")
    stage: str | None = None
    trl: int | None = None
    scale_min_litres: Decimal | None = None
    scale_max_litres: Decimal | None = None
    gmp: bool | None = None
    hub: str | None = Field(None, description="Hub key.")
    visibility: str | None = None
    status: str | None = None
    expires_on: date | None = None
    contact_name: str | None = None
    contact_email: str | None = None


def _profile_data(payload: ProfileIn) -> dict[str, Any]:
    """The service's field values for the fields the request gave."""
    data: dict[str, Any] = {}
    for name in payload.model_fields_set - {"organization"}:
        value = getattr(payload, name)
        if name == "domain":
            found = None
            if value not in (None, ""):
                text = str(value).strip()
                found = MarketDomain.objects.filter(key=text).first()
                if found is None and text.isdigit() and len(text) < 4:
                    found = MarketDomain.objects.filter(number=int(text)).first()
                if found is None:
                    raise ApiError(
                        422,
                        _("No market domain has the key or number '%(v)s'.") % {"v": text[:40]},
                        "domain",
                    )
            data["market_domain"] = found
        elif name == "hub":
            found_hub = None
            if value:
                found_hub = Hub.objects.filter(key=value).first()
                if found_hub is None:
                    raise ApiError(
                        422, _("No hub has the key '%(key)s'.") % {"key": value[:40]}, "hub"
                    )
            data["hub"] = found_hub
        elif name == "tags":
            data["tags"] = "; ".join(value) if isinstance(value, list) else (value or "")
        elif name in ("kind", "visibility", "status"):
            data[name] = value or ""
        elif name in ("scale_min_litres", "scale_max_litres"):
            if value is not None and not value.is_finite():
                raise ApiError(400, f"{name}: give a finite number of litres.", name)
            data[name] = value
        else:
            data[name] = value
    return data


def _organization_named(key: str | None) -> Organization | None:
    if not key:
        return None
    found = Organization.objects.filter(key=key).first()
    if found is None:
        raise ApiError(
            422,
            _("No organisation has the key '%(key)s'.") % {"key": key[:60]},
            "organization",
        )
    return found


@router.get(
    "/profiles",
    response=_responses(ProfilePage),
    exclude_unset=True,
    summary="Profiles the session may see, newest first, with the search filters",
)
def list_profiles(
    request: HttpRequest,
    kind: str = "",
    capability_type: str = "",
    domain: str = "",
    stage: str = "",
    hub: str = "",
    gmp: str = "",
    lang: str = "",
    organization: str = "",
    mine: str = "",
    page: str = "1",
    page_size: str = str(DEFAULT_PAGE_SIZE),
) -> dict[str, Any]:
    _check_params(request, [*search.FILTER_NAMES, "organization", "mine", "page", "page_size"])
    user = request.user
    queryset = search.parse_filters(_filter_params(request)).apply(
        vis.visible_profiles(user).select_related("organization", "market_domain", "hub")
    )
    org_key = _last(request, "organization")
    if org_key:
        if not Organization.objects.filter(key=org_key).exists():
            raise ApiError(400, f"No organisation has the key '{org_key[:60]}'.", "organization")
        queryset = queryset.filter(organization__key=org_key)
    mine_flag = _last(request, "mine").lower()
    if mine_flag not in ("", "true", "false", "1", "0", "yes", "no"):
        raise ApiError(400, "mine must be true or false.", "mine")
    if mine_flag in ("true", "1", "yes"):
        own = member_organization(user)
        queryset = queryset.filter(organization=own) if own else queryset.none()
    rows, paging = _page(queryset.order_by("-updated_at", "-pk"), request)
    secretariat = roles.is_secretariat(user)
    return {**paging, "results": [_profile(p, user, secretariat=secretariat) for p in rows]}


@router.get(
    "/profiles/{profile_id}",
    response=_responses(ProfileOut),
    exclude_unset=True,
    summary="One profile (404 when it is missing or hidden from the session)",
)
def get_profile(request: HttpRequest, profile_id: str) -> dict[str, Any]:
    return _profile(vis.get_visible(request.user, _pk(profile_id)), request.user)


@router.post(
    "/profiles",
    response=_responses(ProfileOut, 201),
    exclude_unset=True,
    auth=session_auth,
    openapi_extra=_body_doc(ProfileIn),
    summary="Post a profile: a member for its own organisation, the secretariat for any",
)
def create_profile(request: HttpRequest) -> Status[dict[str, Any]]:
    payload = _body(request, ProfileIn)
    organization = _organization_named(payload.organization)
    profile = profiles.create_profile(
        request.user, _profile_data(payload), organization=organization
    )
    return Status(201, _profile(profile, request.user))


@router.patch(
    "/profiles/{profile_id}",
    response=_responses(ProfileOut),
    exclude_unset=True,
    auth=session_auth,
    openapi_extra=_body_doc(ProfileIn),
    summary="Change a profile's fields (its organisation's members, the secretariat)",
)
def update_profile(request: HttpRequest, profile_id: str) -> dict[str, Any]:
    user = request.user
    profile = vis.get_visible(user, _pk(profile_id))
    vis.require_edit(user, profile)
    payload = _body(request, ProfileIn)
    if "organization" in payload.model_fields_set and (
        payload.organization != profile.organization.key
    ):
        raise ApiError(422, "A profile's organisation cannot be changed.", "organization")
    updated = profiles.update_profile(user, profile, _profile_data(payload))
    return _profile(vis.get_visible(user, updated.pk), user)


@router.get(
    "/profiles/{profile_id}/matches",
    response=_responses(MatchesOut),
    summary="Counterparts of a profile: a need gets seeds and capabilities, the others needs",
)
def profile_matches(request: HttpRequest, profile_id: str, k: str = "10") -> dict[str, Any]:
    _check_params(request, ["k"])
    profile = vis.get_visible(request.user, _pk(profile_id))
    size = _integer(request, "k", 10, 1, search.MAX_RESULTS)
    matches = search.matches_for(request.user, profile, k=size)
    return {
        "profile": profile.pk,
        "kinds": [str(kind) for kind in COUNTERPARTS[profile.kind]],
        "count": len(matches),
        "results": [_match(m) for m in matches],
    }


# ---------------------------------------------------------------- introductions

PositiveId = Annotated[int, Field(ge=1, le=MAX_ID)]


class IntroductionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: PositiveId = Field(description="The profile whose organisation you want to meet.")
    message: str = Field(description="Why you would like to meet (up to 2,000 characters).")
    from_profile: PositiveId | None = Field(
        None, description="One of your organisation's profiles you write on behalf of."
    )


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reply: str = ""


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    held_on: date


def _introduction(
    intro: Introduction, user: Any, visible: set[int], secretariat: bool
) -> dict[str, Any]:
    recipient = introductions.is_recipient(user, intro)
    requester = introductions.is_requester(user, intro)
    open_ = intro.status == IntroductionStatus.REQUESTED

    def ref(profile: Profile | None) -> dict[str, Any] | None:
        if profile is None or profile.pk not in visible:
            return None
        return {
            "id": profile.pk,
            "kind": profile.kind,
            "title_ja": profile.title_ja,
            "title_en": profile.title_en,
        }

    record: dict[str, Any] = {
        "id": intro.pk,
        "status": intro.status,
        "profile": ref(intro.profile),
        "from_profile": ref(intro.from_profile),
        "organization": _organization(intro.profile.organization),
        "requester_organization": _organization(intro.requester_organization),
        "message": intro.message,
        "reply": intro.reply,
        "created_at": intro.created_at,
        "decided_at": intro.decided_at,
        "meeting_held_on": intro.meeting_held_on,
        "role": "recipient" if recipient else "requester" if requester else "secretariat",
        "can_answer": recipient and open_,
        "can_withdraw": requester and open_,
        "can_record_meeting": intro.status == IntroductionStatus.ACCEPTED
        and (recipient or requester or secretariat),
    }
    contacts = introductions.revealed_contacts(user, intro)
    if contacts is not None:
        record["contacts"] = {side: contact.__dict__ for side, contact in contacts.items()}
    return record


def _introductions_json(items: list[Introduction], user: Any) -> list[dict[str, Any]]:
    ids = {i.profile_id for i in items} | {i.from_profile_id for i in items if i.from_profile_id}
    visible = set(vis.visible_profiles(user).filter(pk__in=ids).values_list("pk", flat=True))
    secretariat = roles.is_secretariat(user)
    return [_introduction(i, user, visible, secretariat) for i in items]


def _one_introduction(intro: Introduction, user: Any) -> dict[str, Any]:
    fresh = introductions.get_introduction(user, intro.pk)
    return _introductions_json([fresh], user)[0]


def _introduction_for(request: HttpRequest, introduction_id: str) -> Introduction:
    if not ID_PATTERN.fullmatch(introduction_id) or not 1 <= int(introduction_id) <= MAX_ID:
        raise Introduction.DoesNotExist
    return introductions.get_introduction(request.user, int(introduction_id))


@router.post(
    "/introductions",
    response=_responses(IntroductionOut, 201),
    exclude_unset=True,
    auth=session_auth,
    openapi_extra=_body_doc(IntroductionIn),
    summary="Ask to meet the organisation behind a profile",
)
def request_introduction(request: HttpRequest) -> Status[dict[str, Any]]:
    user = request.user
    payload = _body(request, IntroductionIn)
    profile = Profile.objects.filter(pk=payload.profile).first()
    if profile is None:
        raise _not_found_profile()
    from_profile = None
    if payload.from_profile is not None:
        from_profile = Profile.objects.filter(pk=payload.from_profile).first()
        if from_profile is None:
            raise ApiError(
                422,
                _("You can write only on behalf of your own profiles."),
                "from_profile",
            )
    intro = introductions.request_introduction(
        user, profile, payload.message, from_profile=from_profile
    )
    return Status(201, _one_introduction(intro, user))


@router.get(
    "/introductions",
    response=_responses(IntroductionPage),
    exclude_unset=True,
    auth=session_auth,
    summary="Introductions your organisation asked for or received (the secretariat: all)",
)
def list_introductions(
    request: HttpRequest,
    status: str = "",
    role: str = "",
    page: str = "1",
    page_size: str = str(DEFAULT_PAGE_SIZE),
) -> dict[str, Any]:
    _check_params(request, ["status", "role", "page", "page_size"])
    user = request.user
    queryset = introductions.introductions_for(user).select_related("decided_by")
    chosen = _last(request, "status")
    if chosen:
        if chosen not in IntroductionStatus.values:
            raise ApiError(
                400, f"status must be one of {', '.join(IntroductionStatus.values)}.", "status"
            )
        queryset = queryset.filter(status=chosen)
    side = _last(request, "role")
    if side:
        own = member_organization(user)
        if side == "received":
            queryset = queryset.filter(profile__organization=own) if own else queryset.none()
        elif side == "sent":
            queryset = queryset.filter(requester_organization=own) if own else queryset.none()
        else:
            raise ApiError(400, "role must be received or sent.", "role")
    rows, paging = _page(queryset, request)
    return {**paging, "results": _introductions_json(rows, user)}


@router.post(
    "/introductions/{introduction_id}/accept",
    response=_responses(IntroductionOut),
    exclude_unset=True,
    auth=session_auth,
    openapi_extra=_body_doc(AnswerIn, required=False),
    summary="Accept a request to your organisation: both sides then see each other's contacts",
)
def accept_introduction(request: HttpRequest, introduction_id: str) -> dict[str, Any]:
    intro = _introduction_for(request, introduction_id)
    payload = _body(request, AnswerIn)
    done = introductions.answer_introduction(request.user, intro, accept=True, reply=payload.reply)
    return _one_introduction(done, request.user)


@router.post(
    "/introductions/{introduction_id}/decline",
    response=_responses(IntroductionOut),
    exclude_unset=True,
    auth=session_auth,
    openapi_extra=_body_doc(AnswerIn, required=False),
    summary="Decline a request to your organisation",
)
def decline_introduction(request: HttpRequest, introduction_id: str) -> dict[str, Any]:
    intro = _introduction_for(request, introduction_id)
    payload = _body(request, AnswerIn)
    done = introductions.answer_introduction(request.user, intro, accept=False, reply=payload.reply)
    return _one_introduction(done, request.user)


@router.post(
    "/introductions/{introduction_id}/withdraw",
    response=_responses(IntroductionOut),
    exclude_unset=True,
    auth=session_auth,
    summary="Withdraw your organisation's open request",
)
def withdraw_introduction(request: HttpRequest, introduction_id: str) -> dict[str, Any]:
    intro = _introduction_for(request, introduction_id)
    done = introductions.withdraw_introduction(request.user, intro)
    return _one_introduction(done, request.user)


@router.post(
    "/introductions/{introduction_id}/meeting",
    response=_responses(IntroductionOut),
    exclude_unset=True,
    auth=session_auth,
    openapi_extra=_body_doc(MeetingIn),
    summary="Record the date an accepted introduction's meeting was held",
)
def record_meeting(request: HttpRequest, introduction_id: str) -> dict[str, Any]:
    intro = _introduction_for(request, introduction_id)
    payload = _body(request, MeetingIn)
    done = introductions.record_meeting(request.user, intro, payload.held_on)
    return _one_introduction(done, request.user)


# ---------------------------------------------------------------- pipeline


@router.get(
    "/pipeline",
    response=_responses(PipelineOut),
    auth=session_auth,
    summary="Introductions requested, accepted, declined and meetings held by year (secretariat)",
)
def pipeline(request: HttpRequest) -> dict[str, Any]:
    rows = introductions.pipeline(request.user)
    years = [row.__dict__ for row in rows]
    total = {
        "period": "total",
        **{
            name: sum(getattr(row, name) for row in rows)
            for name in ("requested", "accepted", "declined", "meetings")
        },
    }
    return {
        "years": years,
        "total": total,
        "indicators": [d["code"] for d in introductions.pipeline_indicators()],
    }
