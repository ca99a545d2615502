"""Where a fact came from and as of when: every shipped or imported record carries both."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, override
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


# The documents the shipped data cites by number ("001 参考4 …"): a reader sees the document's
# title, the data keeps the short number that a secretariat can type and grep.
@dataclass(frozen=True)
class Document:
    """A published document the shipped data is taken from."""

    number: str
    file: str
    title_ja: str
    title_en: str


DOCUMENTS: dict[str, Document] = {
    d.number: d
    for d in (
        Document(
            "000",
            "000_3d93995920ab9040.txt",
            "経済産業省「GTB構想」（2021年）",
            "METI, the GTB concept (2021)",
        ),
        Document(
            "001",
            "001_130d63ee7e402643.txt",
            "GTBマスタープラン（2022年）",
            "GTB master plan (2022)",
        ),
        Document(
            "002",
            "002_5702a8b11a23b71d.txt",
            "バイオ戦略「バイオコミュニティの形成に関する基本的考え方」参考資料",
            "Bio Strategy, basic approach to forming biocommunities (reference materials)",
        ),
        Document(
            "003",
            "003_d81dbc4a0f7dfc33.txt",
            "産業構造審議会バイオ小委員会「バイオ政策の方向性について」（2024年）",
            "Industrial Structure Council bio subcommittee, direction of bio policy (2024)",
        ),
        Document(
            "004",
            "004_6296806089c2f0e2.txt",
            "産業構造審議会バイオ小委員会「バイオ政策のアクションプラン」（2024年8月）",
            "Industrial Structure Council bio subcommittee, bio policy action plan (August 2024)",
        ),
    )
}

# "001 参考4 …", "seed 004 …", "004_6296806089c2f0e2.txt …", "004【参考】…"
_CITED = re.compile(
    r"^(?:seeds?\s+)?(?P<number>\d{3})(?:_[0-9a-f]+\.txt)?(?![\d_])\s*(?P<section>.*)$"
)


# Parts are separated by "|"; "seed 000 …; seed 001 …" also lists two documents in one part.
_PARTS = re.compile(r"\s*\|\s*|;\s*(?=(?:seeds?\s+)?\d{3}[\s_])")
# The page already labels the column "Source"; the data sometimes repeats it.
_SOURCE_LABEL = re.compile(r"^(?:出典|Source)\s*[:：]\s*", re.IGNORECASE)


# The matching pipeline's own counts: "biocommunity matching pipeline, counted 2026-12-01" or
# its Japanese form "biocommunity マッチング・パイプライン（2026-12-01集計）".
_PLATFORM_COUNT = re.compile(
    r"^biocommunity (?:matching pipeline, counted |マッチング・パイプライン（)"
    r"(?P<date>\d{4}-\d{2}-\d{2})(?:集計）)?$"
)


@dataclass(frozen=True)
class Citation:
    """One source as a reader sees it: ``text`` to print, ``detail`` (the file) for a tooltip."""

    text: str
    detail: str = ""


def cite(source: str, language: str) -> list[Citation]:
    """A source string ("001 参考4 海外主要… | 出典：…") as readable citations, one per part.

    Parts that name a known document become "<document title>, <table>" in ``language`` with the
    document's file as the detail; anything else (an outside publication, an import) is kept as
    written.
    """
    citations = []
    for part in _PARTS.split(source):
        part = _SOURCE_LABEL.sub("", part.strip())
        if not part:
            continue
        counted = _PLATFORM_COUNT.match(part)
        if counted:  # written by `match pipeline --record`, in the recorder's language
            with override(language):
                text = gettext("counted by this platform's matching, %(date)s")
            citations.append(Citation(text % {"date": counted["date"]}))
            continue
        match = _CITED.match(part)
        document = DOCUMENTS.get(match["number"]) if match else None
        if match is None or document is None:
            citations.append(Citation(part))
            continue
        title = document.title_en if language == "en" else document.title_ja
        section = match["section"].strip(" 　:：,、")
        if section and section in document.title_ja:
            section = ""  # "000 GTB構想": the part names the document itself
        separator = ", " if language == "en" else "、"
        citations.append(
            Citation(f"{title}{separator}{section}" if section else title, document.file)
        )
    return citations
