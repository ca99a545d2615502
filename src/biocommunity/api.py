"""The JSON API (OpenAPI schema at /api/openapi.json): every app adds its router here.

Every error answer has one shape, :class:`biocommunity.core.api_errors.ErrorOut`; the handlers
below turn what the endpoints raise (validation, missing objects, refusals, domain errors) into it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from biocommunity import __version__
from biocommunity.assessment.api import router as assessment_router
from biocommunity.core.api_errors import (
    ApiError,
    error_body,
    from_field_errors,
    from_pydantic_errors,
)
from biocommunity.indicators.api import router as indicators_router
from biocommunity.matching.api import router as matching_router
from biocommunity.people.api import router as people_router
from biocommunity.portal.api import router as portal_router
from biocommunity.portal.services.search import InvalidSearch
from biocommunity.registry.api import router as registry_router
from biocommunity.registry.services.directory import InvalidQuery

api = NinjaAPI(
    title="biocommunity API",
    version=__version__,
    description=(
        "Registry of a biocommunity: communities, hubs and organisations, in Japanese and English."
        ' Every error answers `{"detail": message, "field": name or null, "errors":'
        " {field: [messages]}}`."
    ),
    urls_namespace="api",
    # Swagger UI from the installed django-ninja (offline, no CDN); no badge from the public
    # validator service, which would call a third-party host.
    docs=Swagger(settings={"validatorUrl": None}),
)


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(request, exc.body(), status=exc.status)


@api.exception_handler(InvalidQuery)
def invalid_query(request: HttpRequest, exc: InvalidQuery) -> HttpResponse:
    return api.create_response(request, from_field_errors(exc.errors), status=400)


@api.exception_handler(InvalidSearch)
def invalid_search(request: HttpRequest, exc: InvalidSearch) -> HttpResponse:
    return api.create_response(request, from_field_errors(exc.errors), status=400)


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, from_pydantic_errors(list(exc.errors)), status=400)


@api.exception_handler(AuthenticationError)
def not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, error_body("Sign in first."), status=401)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, error_body(str(exc)), status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body(str(exc) or "Not found."), status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, error_body(str(exc) or "Forbidden."), status=403)


api.add_router("/", registry_router)
api.add_router("/", indicators_router)
api.add_router("/", assessment_router)
api.add_router("/matching", matching_router)
api.add_router("/notifications", people_router)
api.add_router("/search", portal_router)
