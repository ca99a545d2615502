"""The JSON API (OpenAPI schema at /api/openapi.json): every app adds its router here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import ValidationError

from biocommunity import __version__
from biocommunity.assessment.api import router as assessment_router
from biocommunity.indicators.api import router as indicators_router
from biocommunity.matching.api import router as matching_router
from biocommunity.people.api import router as people_router
from biocommunity.portal.api import router as portal_router
from biocommunity.registry.api import router as registry_router
from biocommunity.registry.services.directory import InvalidQuery

api = NinjaAPI(
    title="biocommunity API",
    version=__version__,
    description=(
        "Registry of a biocommunity: communities, hubs and organisations, in Japanese and English."
    ),
    urls_namespace="api",
    # Swagger UI from the installed django-ninja (offline, no CDN); no badge from the public
    # validator service, which would call a third-party host.
    docs=Swagger(settings={"validatorUrl": None}),
)


@api.exception_handler(InvalidQuery)
def invalid_query(request: HttpRequest, exc: InvalidQuery) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=400)


@api.exception_handler(ValidationError)
def invalid_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.errors}, status=400)


api.add_router("/", registry_router)
api.add_router("/", indicators_router)
api.add_router("/", assessment_router)
api.add_router("/matching", matching_router)
api.add_router("/notifications", people_router)
api.add_router("/search", portal_router)
