"""The JSON API's one error body, and the session auth that answers 401 before CSRF.

Every answer other than success, from every app's router, is an :class:`ErrorOut`:
``{"detail": "message", "field": "name" | null, "errors": {"name": ["message", ...]}}``.
``detail`` is always one sentence a person can read (clients that read only ``detail`` keep
working); ``field`` names the parameter or body field at fault when there is one; ``errors``
lists every problem by field (``""`` for problems of the whole request).
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Schema
from ninja.security import SessionAuth
from pydantic import BaseModel


class ErrorOut(Schema):
    """An error answer (4xx)."""

    detail: str
    field: str | None = None
    errors: dict[str, list[str]] = {}


class ApiError(Exception):
    """An answer other than success, raised anywhere below an endpoint."""

    def __init__(
        self,
        status: int,
        detail: str,
        field: str | None = None,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field
        self.errors = errors or ({field: [detail]} if field else {})

    def body(self) -> dict[str, Any]:
        return error_body(self.detail, self.field, self.errors)


def error_body(
    detail: str, field: str | None = None, errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """The JSON body of an error answer; ``errors`` defaults to ``{field: [detail]}``."""
    return {
        "detail": detail,
        "field": field,
        "errors": errors if errors is not None else ({field: [detail]} if field else {}),
    }


def _location(loc: Any) -> str:
    """A pydantic/ninja error location without its source (``query``, ``body``, ``path``)."""
    parts = [str(p) for p in (loc or ())]
    if len(parts) > 1 and parts[0] in {"query", "path", "body", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts)


def from_pydantic_errors(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """Ninja's/pydantic's error list as one error body: the first problem says ``detail``."""
    by_field: dict[str, list[str]] = {}
    for error in errors:
        by_field.setdefault(_location(error.get("loc")), []).append(str(error.get("msg", "")))
    if not by_field:
        return error_body("Invalid request.")
    field, messages = next(iter(by_field.items()))
    detail = f"{field}: {messages[0]}" if field else messages[0]
    return error_body(detail, field or None, by_field)


def from_field_errors(errors: list[dict[str, str]]) -> dict[str, Any]:
    """A domain error's ``[{"field": ..., "message": ...}]`` list as one error body."""
    by_field: dict[str, list[str]] = {}
    for error in errors:
        by_field.setdefault(error.get("field", ""), []).append(error.get("message", ""))
    if not by_field:
        return error_body("Invalid request.")
    field = next(iter(by_field))
    detail = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors)
    return error_body(detail, field or None, by_field)


# The error statuses an operation may answer, by what it does; every router declares these so
# the schema lists each status a client can meet.
READ_ERRORS: dict[int, type[Schema]] = {400: ErrorOut}
LOOKUP_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 404: ErrorOut}
SIGNED_IN_ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}


def responses(ok: Any, *errors: dict[int, type[Schema]], status: int = 200) -> dict[int, Any]:
    """A ``response=`` declaration: the success schema and the given error statuses."""
    declared: dict[int, Any] = {status: ok}
    for group in errors:
        declared.update(group)
    return declared


def _parameter_names(view: Callable[..., Any]) -> set[str]:
    """The names a view reads from its request: its arguments and their schemas' fields."""
    hints = typing.get_type_hints(view)
    names: set[str] = set()
    for name in inspect.signature(view).parameters:
        hint = hints.get(name)
        if isinstance(hint, type) and issubclass(hint, BaseModel):
            names.update(field.alias or key for key, field in hint.model_fields.items())
        else:
            names.add(name)
    return names - {"request"}


def reject_unknown_parameters(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer 400 to a query parameter the operation does not declare (router decorator).

    A misspelt filter (``?kinds=`` for ``?kind=``) would otherwise be ignored silently and the
    client would take the unfiltered answer for the filtered one.
    """
    known = _parameter_names(view)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        for name in request.GET:
            if name not in known:
                shown = name[:40]
                raise ApiError(
                    400,
                    f"Unknown parameter '{shown}'. Known parameters: "
                    f"{', '.join(sorted(known)) or 'none'}.",
                    shown,
                )
        return view(request, *args, **kwargs)

    return wrapper


class SignedInSession(SessionAuth):
    """Django's session, answering 401 to a request without a signed-in user.

    Ninja's own session auth checks CSRF first, so an anonymous write answered 403 "CSRF check
    Failed" though signing in is what it lacks. Here an anonymous request is refused (401) before
    the check; a signed-in session's writes still need the CSRF token.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


session_auth = SignedInSession()
