"""Where a fact came from and as of when: every shipped or imported record carries both."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def is_partial_date(value: str) -> bool:
    """YYYY, YYYY-MM or a real calendar day YYYY-MM-DD."""
    if not PARTIAL_DATE.match(value):
        return False
    if len(value) == 10:
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
    return True


def validate_partial_date(value: str) -> None:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD: the seeds often state only a year or a month."""
    if value and not is_partial_date(value):
        raise ValidationError(
            _("%(value)s is not a date: write YYYY, YYYY-MM or YYYY-MM-DD."),
            params={"value": value},
            code="invalid_partial_date",
        )


class Sourced(models.Model):
    """Abstract base: a source citation and an as-of date."""

    source = models.TextField(
        _("source"),
        blank=True,
        help_text=_("Seed file and section, or the import that brought it. Several: ' | '."),
    )
    as_of = models.CharField(
        _("as of"),
        max_length=10,
        blank=True,
        validators=[validate_partial_date],
        help_text=_("YYYY, YYYY-MM or YYYY-MM-DD."),
    )

    class Meta:
        abstract = True

    @property
    def sources(self) -> list[str]:
        return [part.strip() for part in self.source.split("|") if part.strip()]
