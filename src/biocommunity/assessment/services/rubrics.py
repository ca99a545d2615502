"""Rubrics: the published certification criteria, read from versioned YAML files.

The criteria are data so that the secretariat can publish a new version without a code change;
a round keeps a copy of the rubric it was opened with, so later edits never change past results.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.utils.translation import gettext as _

from biocommunity.registry.choices import OrganizationKind

RUBRIC_DIR = Path(__file__).resolve().parent.parent / "rubrics"
PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")
SUBJECTS = ("institution", "community")
PARAMETER_TYPES = ("number", "integer", "choice")
COMMUNITY_CHECKS = (
    "evidence",
    "market_domains",
    "required_institutions",
    "network_organisation",
    "targets",
    "plan",
    "figures_published",
    "international_links",
    "certified_categories",
)


_Coded = TypeVar("_Coded", "Stage", "Level", "Parameter", "InstitutionType", "InstitutionSet")


class RubricError(ValueError):
    """A rubric file that does not follow the schema; the message names the place."""


@dataclass(frozen=True)
class Text:
    ja: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language.startswith("en") and self.en else self.ja


@dataclass(frozen=True)
class Stage:
    code: str
    name: Text


@dataclass(frozen=True)
class Level:
    code: str
    name: Text
    stages: tuple[str, ...]


@dataclass(frozen=True)
class Parameter:
    code: str
    name: Text
    type: str
    unit: Text | None
    choices: tuple[str, ...]
    source: str

    def parse(self, raw: Any) -> Any:
        """The value a round stores; raises ValueError with a readable reason."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise ValueError(_("no value"))
        if self.type == "choice":
            value = str(raw).strip()
            if value not in self.choices:
                raise ValueError(
                    _("must be one of %(choices)s") % {"choices": ", ".join(self.choices)}
                )
            return value
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation as exc:
            raise ValueError(_("is not a number")) from exc
        if not number.is_finite():
            raise ValueError(_("is not a number"))
        if number < 0:
            raise ValueError(_("must be zero or more"))
        if self.type == "integer":
            if number != number.to_integral_value():
                raise ValueError(_("must be a whole number"))
            return int(number)
        return float(number) if number != number.to_integral_value() else int(number)


@dataclass(frozen=True)
class Criterion:
    code: str
    stage: str
    text: Text
    source: str
    seed_ja: str = ""
    check: str = "evidence"
    params: Mapping[str, Any] = field(default_factory=dict)
    axis: str = ""

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(PLACEHOLDER.findall(self.text.ja)))

    def render(self, language: str, values: Mapping[str, Any]) -> str:
        """The text with the round's thresholds filled in; an unset one shows as '…'."""

        def fill(match: re.Match[str]) -> str:
            value = values.get(match.group(1))
            return "…" if value is None else str(value)

        return PLACEHOLDER.sub(fill, self.text.get(language))


@dataclass(frozen=True)
class Axis:
    code: str
    name: Text
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class InstitutionType:
    """An institution type (研究開発機関（先端）…) or a community kind (global, regional)."""

    code: str
    name: Text
    axes: tuple[Axis, ...]
    organization_kinds: tuple[str, ...] = ()
    requirements: tuple[Criterion, ...] = ()

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for axis in self.axes for c in axis.criteria)


@dataclass(frozen=True)
class InstitutionCategory:
    code: str
    name: Text
    organization_kinds: tuple[str, ...]
    network_organisation: bool
    qualifier: Mapping[str, Any]


@dataclass(frozen=True)
class InstitutionSet:
    code: str
    name: Text
    source: str
    categories: tuple[InstitutionCategory, ...]


@dataclass(frozen=True)
class Rubric:
    code: str
    version: str
    subject: str
    title: Text
    source: str
    stages: tuple[Stage, ...]
    levels: tuple[Level, ...]
    level_rule: Text
    parameters: tuple[Parameter, ...]
    types: tuple[InstitutionType, ...]
    institution_sets: tuple[InstitutionSet, ...]
    content: Mapping[str, Any]
    sha256: str

    def type(self, code: str) -> InstitutionType:
        return _by_code(self.types, code)

    def level(self, code: str) -> Level:
        return _by_code(self.levels, code)

    def parameter(self, code: str) -> Parameter:
        return _by_code(self.parameters, code)

    def institution_set(self, code: str) -> InstitutionSet:
        return _by_code(self.institution_sets, code)

    def criteria(self) -> Iterator[Criterion]:
        for item in self.types:
            yield from item.requirements
            yield from item.criteria

    def criterion(self, code: str) -> Criterion:
        for item in self.criteria():
            if item.code == code:
                return item
        raise KeyError(code)

    def parameters_used(self, type_codes: list[str] | None = None) -> list[Parameter]:
        """Parameters that criteria of these types (all types when None) fill in."""
        used: dict[str, None] = {}
        for item in self.types:
            if type_codes is not None and item.code not in type_codes:
                continue
            for criterion in (*item.requirements, *item.criteria):
                used.update(dict.fromkeys(criterion.parameters))
        return [self.parameter(code) for code in used]

    @property
    def label(self) -> str:
        return f"{self.code} {self.version}"


def _by_code(items: tuple[_Coded, ...], code: str) -> _Coded:
    """The item with this code; KeyError when there is none."""
    for item in items:
        if item.code == code:
            return item
    raise KeyError(code)


class _Reader:
    """Walks the YAML with a path, so every error says where it is."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, message: str) -> RubricError:
        return RubricError(f"{self.name}: {where}: {message}")

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(where, "expected a mapping")
        return value

    def items(self, value: Any, where: str, *, allow_empty: bool = False) -> list[Any]:
        if value is None and allow_empty:
            return []
        if not isinstance(value, list) or (not value and not allow_empty):
            raise self.fail(where, "expected a non-empty list")
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = data.get(key)
        if not isinstance(value, str | int | float) or not str(value).strip():
            raise self.fail(where, f"'{key}' is missing or empty")
        return str(value).strip()

    def bilingual(self, data: Mapping[str, Any], where: str) -> Text:
        return Text(self.text(data, "ja", where), self.text(data, "en", where))

    def code(self, data: Mapping[str, Any], where: str, seen: set[str]) -> str:
        code = self.text(data, "code", where)
        if not re.fullmatch(r"[a-z0-9_.\-]+", code):
            raise self.fail(where, f"code '{code}' may hold only a-z, 0-9, '_', '.', '-'")
        if code in seen:
            raise self.fail(where, f"code '{code}' is used twice")
        seen.add(code)
        return code


def parse_rubric(content: Mapping[str, Any], name: str = "rubric") -> Rubric:
    """Validate the file's content and build the rubric; every error names its place."""
    r = _Reader(name)
    data = r.mapping(content, "top level")
    subject = r.text(data, "subject", "top level")
    if subject not in SUBJECTS:
        raise r.fail("subject", f"must be one of {', '.join(SUBJECTS)}")
    seen: set[str] = set()
    stages = tuple(
        Stage(r.code(s, f"stages[{i}]", seen), r.bilingual(s, f"stages[{i}]"))
        for i, s in enumerate(r.items(data.get("stages"), "stages"))
    )
    stage_codes = [s.code for s in stages]
    levels: list[Level] = []
    level_seen: set[str] = set()
    covered: list[str] = []
    for i, raw in enumerate(r.items(data.get("levels"), "levels")):
        where = f"levels[{i}]"
        level_stages = tuple(str(s) for s in r.items(raw.get("stages"), f"{where}.stages"))
        for stage in level_stages:
            if stage not in stage_codes:
                raise r.fail(where, f"unknown stage '{stage}'")
            if stage in covered:
                raise r.fail(where, f"stage '{stage}' already belongs to an earlier level")
            covered.append(stage)
        levels.append(Level(r.code(raw, where, level_seen), r.bilingual(raw, where), level_stages))
    if covered != stage_codes:
        raise r.fail("levels", "the levels must cover every stage once, in the stages' order")
    param_seen: set[str] = set()
    parameters: list[Parameter] = []
    for i, raw in enumerate(r.items(data.get("parameters"), "parameters", allow_empty=True)):
        where = f"parameters[{i}]"
        ptype = r.text(raw, "type", where)
        if ptype not in PARAMETER_TYPES:
            raise r.fail(where, f"type must be one of {', '.join(PARAMETER_TYPES)}")
        choices = tuple(str(c) for c in raw.get("choices") or ())
        if ptype == "choice" and not choices:
            raise r.fail(where, "a choice parameter needs 'choices'")
        unit = raw.get("unit")
        parameters.append(
            Parameter(
                code=r.code(raw, where, param_seen),
                name=r.bilingual(raw, where),
                type=ptype,
                unit=r.bilingual(r.mapping(unit, f"{where}.unit"), f"{where}.unit")
                if unit
                else None,
                choices=choices,
                source=str(raw.get("source") or data.get("source") or ""),
            )
        )
    file_source = str(data.get("source") or "")
    criterion_seen: set[str] = set()

    def criterion(raw: Any, where: str, axis: str, default_source: str) -> Criterion:
        raw = r.mapping(raw, where)
        stage = str(raw.get("stage") or "")
        if axis and stage not in stage_codes:
            raise r.fail(where, f"unknown stage '{stage}'")
        check = str(raw.get("check") or "evidence")
        if check not in COMMUNITY_CHECKS or (subject == "institution" and check != "evidence"):
            raise r.fail(where, f"unknown check '{check}'")
        text = r.bilingual(raw, where)
        ja_params = set(PLACEHOLDER.findall(text.ja))
        if ja_params != set(PLACEHOLDER.findall(text.en)):
            raise r.fail(where, "the Japanese and English texts use different {parameters}")
        for code in ja_params:
            if code not in param_seen:
                raise r.fail(where, f"parameter '{code}' is not declared")
        return Criterion(
            code=r.code(raw, where, criterion_seen),
            stage=stage,
            text=text,
            source=str(raw.get("source") or default_source),
            seed_ja=str(raw.get("seed_ja") or ""),
            check=check,
            params=dict(raw.get("params") or {}),
            axis=axis,
        )

    types: list[InstitutionType] = []
    type_seen: set[str] = set()
    type_key = "institution_types" if subject == "institution" else "community_kinds"
    for i, raw in enumerate(r.items(data.get(type_key), type_key)):
        where = f"{type_key}[{i}]"
        code = r.code(raw, where, type_seen)
        kinds = tuple(str(k) for k in raw.get("organization_kinds") or ())
        for kind in kinds:
            if kind not in OrganizationKind.values:
                raise r.fail(where, f"unknown organisation kind '{kind}'")
        if subject == "institution" and not kinds:
            raise r.fail(where, "'organization_kinds' is missing")
        axes: list[Axis] = []
        axis_seen: set[str] = set()
        axis_key = "axes" if subject == "institution" else "maturity"
        for j, axis_raw in enumerate(r.items(raw.get(axis_key), f"{where}.{axis_key}")):
            axis_where = f"{where}.{axis_key}[{j}]"
            axis_code = r.code(axis_raw, axis_where, axis_seen)
            default_source = f"{file_source} {raw.get('ja', '')} {axis_raw.get('ja', '')}".strip()
            axes.append(
                Axis(
                    axis_code,
                    r.bilingual(axis_raw, axis_where),
                    tuple(
                        criterion(c, f"{axis_where}.criteria[{k}]", axis_code, default_source)
                        for k, c in enumerate(r.items(axis_raw.get("criteria"), axis_where))
                    ),
                )
            )
        requirements = tuple(
            criterion(c, f"{where}.requirements[{k}]", "", file_source)
            for k, c in enumerate(
                r.items(raw.get("requirements"), f"{where}.requirements", allow_empty=True)
            )
        )
        types.append(
            InstitutionType(code, r.bilingual(raw, where), tuple(axes), kinds, requirements)
        )
    sets: list[InstitutionSet] = []
    set_seen: set[str] = set()
    for i, raw in enumerate(
        r.items(
            data.get("required_institution_sets"), "required_institution_sets", allow_empty=True
        )
    ):
        where = f"required_institution_sets[{i}]"
        cat_seen: set[str] = set()
        categories = []
        for j, cat in enumerate(r.items(raw.get("categories"), f"{where}.categories")):
            cat_where = f"{where}.categories[{j}]"
            kinds = tuple(str(k) for k in cat.get("organization_kinds") or ())
            if not kinds and not cat.get("network_organisation"):
                raise r.fail(cat_where, "needs organization_kinds or network_organisation: true")
            for kind in kinds:
                if kind not in OrganizationKind.values:
                    raise r.fail(cat_where, f"unknown organisation kind '{kind}'")
            categories.append(
                InstitutionCategory(
                    r.code(cat, cat_where, cat_seen),
                    r.bilingual(cat, cat_where),
                    kinds,
                    bool(cat.get("network_organisation")),
                    dict(cat.get("qualifier") or {}),
                )
            )
        sets.append(
            InstitutionSet(
                r.code(raw, where, set_seen),
                r.bilingual(raw, where),
                str(raw.get("source") or file_source),
                tuple(categories),
            )
        )
    used = {p for t in types for c in (*t.requirements, *t.criteria) for p in c.parameters}
    for parameter in parameters:
        if parameter.code not in used:
            raise r.fail("parameters", f"parameter '{parameter.code}' is declared but not used")
    set_codes = {s.code for s in sets}
    for t in types:
        for c in (*t.requirements, *t.criteria):
            wanted = c.params.get("set")
            if wanted is not None and wanted not in set_codes:
                raise r.fail(c.code, f"unknown institution set '{wanted}'")
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return Rubric(
        code=r.text(data, "code", "top level"),
        version=r.text(data, "version", "top level"),
        subject=subject,
        title=r.bilingual(r.mapping(data.get("title"), "title"), "title"),
        source=file_source,
        stages=stages,
        levels=tuple(levels),
        level_rule=r.bilingual(r.mapping(data.get("level_rule"), "level_rule"), "level_rule"),
        parameters=tuple(parameters),
        types=tuple(types),
        institution_sets=tuple(sets),
        content=json.loads(canonical),
        sha256=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def load_rubric_file(path: Path) -> Rubric:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RubricError(f"{path.name}: not valid YAML: {exc}") from exc
    rubric = parse_rubric(content, path.name)
    expected = f"{rubric.code}-{rubric.version}.yaml"
    if path.name != expected:
        raise RubricError(f"{path.name}: the file must be named {expected}")
    return rubric


@lru_cache(maxsize=1)
def shipped_rubrics() -> tuple[Rubric, ...]:
    """Every rubric file in the package, oldest version first."""
    return tuple(
        sorted(
            (load_rubric_file(p) for p in sorted(RUBRIC_DIR.glob("*.yaml"))),
            key=lambda r: (r.code, _version_key(r.version)),
        )
    )


def _version_key(version: str) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\-]", version))


def get_rubric(code: str, version: str | None = None) -> Rubric:
    """A shipped rubric; the latest version when none is named. KeyError when unknown."""
    matches = [r for r in shipped_rubrics() if r.code == code]
    if version is not None:
        matches = [r for r in matches if r.version == version]
    if not matches:
        raise KeyError(f"{code} {version or ''}".strip())
    return matches[-1]


def rubric_for_subject(subject: str) -> Rubric:
    """The latest shipped rubric for institutions or for communities."""
    for rubric in reversed(shipped_rubrics()):
        if rubric.subject == subject:
            return rubric
    raise KeyError(subject)


def rubric_as_dict(rubric: Rubric, parameters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON shape of `rubric show` and the API: every criterion in both languages."""
    values = dict(parameters or {})

    def criterion(c: Criterion) -> dict[str, Any]:
        item: dict[str, Any] = {
            "code": c.code,
            "ja": c.render("ja", values) if values else c.text.ja,
            "en": c.render("en", values) if values else c.text.en,
            "source": c.source,
        }
        if c.stage:
            item["stage"] = c.stage
        if c.parameters:
            item["parameters"] = list(c.parameters)
        if rubric.subject == "community":
            item["check"] = c.check
        return item

    return {
        "code": rubric.code,
        "version": rubric.version,
        "subject": rubric.subject,
        "title": {"ja": rubric.title.ja, "en": rubric.title.en},
        "source": rubric.source,
        "sha256": rubric.sha256,
        "stages": [{"code": s.code, "ja": s.name.ja, "en": s.name.en} for s in rubric.stages],
        "levels": [
            {"code": lv.code, "ja": lv.name.ja, "en": lv.name.en, "stages": list(lv.stages)}
            for lv in rubric.levels
        ],
        "level_rule": {"ja": rubric.level_rule.ja, "en": rubric.level_rule.en},
        "parameters": [
            {
                "code": p.code,
                "ja": p.name.ja,
                "en": p.name.en,
                "type": p.type,
                "unit": {"ja": p.unit.ja, "en": p.unit.en} if p.unit else None,
                "choices": list(p.choices),
                "value": values.get(p.code),
            }
            for p in rubric.parameters
        ],
        "types": [
            {
                "code": t.code,
                "ja": t.name.ja,
                "en": t.name.en,
                "organization_kinds": list(t.organization_kinds),
                "requirements": [criterion(c) for c in t.requirements],
                "axes": [
                    {
                        "code": a.code,
                        "ja": a.name.ja,
                        "en": a.name.en,
                        "criteria": [criterion(c) for c in a.criteria],
                    }
                    for a in t.axes
                ],
            }
            for t in rubric.types
        ],
    }
