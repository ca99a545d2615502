"""The signed-in user's notices over the JSON API.

``GET /api/notifications`` lists them newest first (``limit``/``offset``, the unread count),
``POST /api/notifications/read`` marks some or all read. Both need a session (401 JSON without
one) and answer only with the session user's own notices. Errors are the API's one error body
(``biocommunity.core.api_errors.ErrorOut``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from biocommunity.core.api_errors import (
    SIGNED_IN_ERRORS,
    error_body,
    reject_unknown_parameters,
    responses,
    session_auth,
)
from biocommunity.people.models import Notice
from biocommunity.people.services import notices

router = Router(tags=["notifications"])
router.add_decorator(reject_unknown_parameters)


class NoticeOut(Schema):
    id: int
    kind: str
    created: datetime
    read: bool
    text: str
    url: str


class NoticeListOut(Schema):
    count: int
    unread: int
    limit: int
    offset: int
    results: list[NoticeOut]


class ListQuery(Schema):
    limit: int = Field(20, ge=1, le=notices.MAX_PAGE, description="notices per page (1–100)")
    offset: int = Field(0, ge=0, description="how many of the newest to skip")
    language: str | None = Field(
        None,
        pattern="^(ja|en)$",
        description="language of `text` and `url` (default: the request's)",
    )


class ReadIn(BaseModel):
    """Either ``ids`` (the notices to mark) or ``all: true``."""

    model_config = ConfigDict(extra="forbid")
    # Bounded so a database integer never overflows and one request stays small.
    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] | None = Field(None, max_length=1000)
    all: bool = False


class ReadOut(Schema):
    marked: int
    unread: int


def _language(request: HttpRequest, chosen: str | None) -> str:
    language = chosen or translation.get_language() or "ja"
    return "en" if language.startswith("en") else "ja"


def _out(notice: Notice, language: str) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "created": notice.created,
        "read": notice.read_at is not None,
        "text": notices.notice_text(notice, language),
        "url": notices.notice_url(notice, language),
    }


@router.get(
    "",
    response=responses(NoticeListOut, SIGNED_IN_ERRORS),
    auth=session_auth,
    summary="The signed-in user's notices, newest first, with the unread count",
)
def list_notices(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    language = _language(request, query.language)
    page = notices.page_of_notices(request.user, limit=query.limit, offset=query.offset)
    return {
        "count": page.total,
        "unread": page.unread,
        "limit": page.limit,
        "offset": page.offset,
        "results": [_out(n, language) for n in page.notices],
    }


@router.post(
    "/read",
    response=responses(ReadOut, SIGNED_IN_ERRORS),
    auth=session_auth,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ReadIn.model_json_schema()}},
        }
    },
    summary='Mark notices read: {"ids": [1, 2]} or {"all": true} (only one\'s own)',
)
def mark_read(request: HttpRequest) -> Any:
    try:
        payload = ReadIn.model_validate_json(request.body or b"{}")
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())) or "body"
        detail = _("%(field)s: %(problem)s") % {"field": field, "problem": first["msg"]}
        return Status(400, error_body(detail, field))
    if payload.all == (payload.ids is not None):
        return Status(400, error_body(_("Send either ids (a list of notice ids) or all: true.")))
    marked = notices.mark_read(request.user, None if payload.all else payload.ids)
    return {"marked": marked, "unread": notices.unread_count(request.user)}
