"""The audit log as people read it: step names, criterion texts, levels and thresholds by name.

Entries keep codes (they must stay comparable across rubric versions and languages); this
module turns them into sentences in the reader's language, using the rubric the round kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from biocommunity.assessment.models import AuditEntry, Round
from biocommunity.assessment.services.rubrics import Rubric
from biocommunity.assessment.services.workflow import round_rubric
from biocommunity.core.templatetags.bilingual import pick


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    label: str
    actor: str
    concerns: str
    details: list[str] = field(default_factory=list)


def _round_id(entry: AuditEntry) -> int | None:
    if entry.round_id:
        return entry.round_id
    if entry.assessment_id and entry.assessment is not None:
        return entry.assessment.round_id
    if entry.certificate_id and entry.certificate is not None:
        return entry.certificate.round_id
    return None


class _Reader:
    """Names from one round's rubric, in one language."""

    def __init__(self, round: Round | None, language: str) -> None:
        self.rubric: Rubric | None = round_rubric(round) if round is not None else None
        self.values: Mapping[str, Any] = round.parameters if round is not None else {}
        self.language = language

    def criterion(self, code: str) -> str:
        if self.rubric is not None:
            try:
                return self.rubric.criterion(code).render(self.language, self.values)
            except KeyError:
                pass
        return code

    def level(self, code: str) -> str:
        if self.rubric is not None and code:
            try:
                return self.rubric.level(code).name.get(self.language)
            except KeyError:
                pass
        return code or "—"

    def kind(self, code: str) -> str:
        if self.rubric is not None:
            try:
                return self.rubric.type(code).name.get(self.language)
            except KeyError:
                pass
        return code

    def threshold(self, code: str, value: Any) -> tuple[str, str]:
        """The threshold's name and its value with the unit ('—' when unset)."""
        if self.rubric is not None:
            try:
                parameter = self.rubric.parameter(code)
            except KeyError:
                pass
            else:
                unit = parameter.unit.get(self.language) if parameter.unit else ""
                # "5 × 100 million yen", not "5 100 million yen"; "5 億円", "3 years"
                joint = " × " if unit[:1].isdigit() else " "
                shown = "—" if value in (None, "") else f"{value}{joint}{unit}".rstrip()
                return parameter.name.get(self.language), shown
        return code, "—" if value in (None, "") else str(value)


def _details(entry: AuditEntry, reader: _Reader) -> list[str]:
    detail: Mapping[str, Any] = entry.detail if isinstance(entry.detail, Mapping) else {}
    action = entry.action
    lines: list[str] = []
    if action == "round.created" and reader.rubric is not None:
        lines.append(
            _("Rubric: %(name)s")
            % {"name": f"{reader.rubric.title.get(reader.language)} {reader.rubric.version}"}
        )
    elif action == "round.parameters":
        before = detail.get("before") or {}
        after = detail.get("after") or {}
        for code in sorted(set(before) | set(after)):
            if before.get(code) == after.get(code):
                continue
            name, old = reader.threshold(code, before.get(code))
            _name, new = reader.threshold(code, after.get(code))
            lines.append(
                _("%(name)s: %(before)s → %(after)s") % {"name": name, "before": old, "after": new}
            )
    elif action == "round.opened":
        for code, value in sorted((detail.get("parameters") or {}).items()):
            name, shown = reader.threshold(code, value)
            lines.append(f"{name}: {shown}")
    elif action == "assessment.invited" and detail.get("type"):
        lines.append(_("As: %(type)s") % {"type": reader.kind(str(detail["type"]))})
    elif action in ("assessment.saved", "assessment.submitted"):
        codes = detail.get("criteria") or detail.get("met") or []
        if action == "assessment.submitted" and codes:
            lines.append(_("Claimed as met:"))
        lines.extend(reader.criterion(str(code)) for code in codes)
    elif action in ("evidence.added", "evidence.removed"):
        lines.append(
            _("%(criterion)s — %(evidence)s")
            % {
                "criterion": reader.criterion(str(detail.get("criterion", ""))),
                "evidence": detail.get("name", ""),
            }
        )
    elif action in ("review.saved", "review.submitted"):
        level = str(detail.get("recommended_level") or "")
        if level:
            lines.append(_("Recommended level: %(level)s") % {"level": reader.level(level)})
    elif action == "certificate.issued":
        lines.append(_("Level: %(level)s") % {"level": reader.level(str(detail.get("level", "")))})
    elif action == "certificate.revised":
        lines.append(_("Replaces %(number)s") % {"number": detail.get("supersedes", "")})
        lines.append(_("Level: %(level)s") % {"level": reader.level(str(detail.get("level", "")))})
    elif action == "certificate.revoked":
        lines.append(_("Revokes %(number)s") % {"number": detail.get("revokes", "")})
    if action in ("certificate.revised", "certificate.revoked") and detail.get("reason"):
        lines.append(_("Reason: %(reason)s") % {"reason": detail["reason"]})
    return lines


def _concerns(entry: AuditEntry, language: str) -> str:
    if entry.certificate_id and entry.certificate is not None:
        return entry.certificate.number
    assessment = entry.assessment if entry.assessment_id else None
    if assessment is not None:
        subject = assessment.organization or assessment.community
        return pick(subject, "name", language) if subject is not None else ""
    if entry.round_id and entry.round is not None:
        return pick(entry.round, "title", language)
    return ""


def audit_rows(entries: Iterable[AuditEntry], language: str) -> list[AuditRow]:
    """Readable rows for these entries; each round's rubric is read once."""
    entries = list(entries)
    round_ids = {rid for e in entries if (rid := _round_id(e)) is not None}
    readers = {r.pk: _Reader(r, language) for r in Round.objects.filter(pk__in=round_ids)}
    fallback = _Reader(None, language)
    rows = []
    for entry in entries:
        rid = _round_id(entry)
        reader = readers.get(rid, fallback) if rid is not None else fallback
        actor = entry.actor
        rows.append(
            AuditRow(
                entry=entry,
                label=entry.get_action_display(),
                actor=(actor.get_full_name() or actor.get_username()) if actor else "—",
                concerns=_concerns(entry, language),
                details=_details(entry, reader),
            )
        )
    return rows
