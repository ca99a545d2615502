"""The Japanese catalogue: complete, consistent with the sources, compiled, and in use."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import polib
import pytest
from django.test import Client
from django.utils import translation

import biocommunity

PACKAGE_DIR = Path(biocommunity.__file__).resolve().parent
LC_MESSAGES = PACKAGE_DIR / "locale" / "ja" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# Python %-style placeholders: %(name)s, %(n)d, %(old)r … and unnamed %s/%d.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "gettext_noop"}
NGETTEXT_NAMES = {"ngettext", "ngettext_lazy"}
PGETTEXT_NAMES = {"pgettext", "pgettext_lazy"}
NPGETTEXT_NAMES = {"npgettext", "npgettext_lazy"}
SKIPPED_DIRS = {"migrations", "static", "data", "locale", "__pycache__"}

# {% translate "…" %} / {% trans '…' context "…" as x %}
TRANSLATE_TAG = re.compile(
    r"""\{%\s*trans(?:late)?\s+(?P<q>["'])(?P<msgid>.*?)(?P=q)"""
    r"""(?:\s+context\s+(?P<cq>["'])(?P<ctx>.*?)(?P=cq))?[^%]*%\}""",
    re.DOTALL,
)
BLOCK_TAG = re.compile(
    r"\{%\s*blocktrans(?:late)?(?P<args>[^%]*)%\}(?P<body>.*?)\{%\s*endblocktrans(?:late)?\s*%\}",
    re.DOTALL,
)
BLOCK_CONTEXT = re.compile(r"""\bcontext\s+(["'])(.*?)\1""")
TEMPLATE_VAR = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def _catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _key(msgctxt: str | None, msgid: str) -> tuple[str, str]:
    return (msgctxt or "", msgid)


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text.replace("%%", "")))


def _package_files(suffix: str) -> list[Path]:
    return sorted(
        p
        for p in PACKAGE_DIR.rglob(f"*{suffix}")
        if not SKIPPED_DIRS.intersection(p.relative_to(PACKAGE_DIR).parts[:-1])
    )


def _string_arg(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _python_msgids(path: Path) -> set[tuple[str, str]]:
    """Literal strings passed to gettext-family calls (implicit concatenation included)."""
    found: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        args = [_string_arg(a) for a in node.args]
        if name in GETTEXT_NAMES or name in NGETTEXT_NAMES:
            msgid, ctx = args[0], None
        elif (name in PGETTEXT_NAMES or name in NPGETTEXT_NAMES) and len(args) > 1:
            ctx, msgid = args[0], args[1]
        else:
            continue
        if msgid is not None:
            found.add(_key(ctx, msgid))
    return found


def _template_msgids(path: Path) -> set[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    found = {_key(m["ctx"], m["msgid"]) for m in TRANSLATE_TAG.finditer(text)}
    for m in BLOCK_TAG.finditer(text):
        if "trimmed" in m["args"]:
            pytest.fail(f"{path.name}: this scan does not model 'trimmed'; extend it")
        ctx = BLOCK_CONTEXT.search(m["args"])
        singular = re.split(r"\{%\s*plural\s*%\}", m["body"])[0]
        msgid = TEMPLATE_VAR.sub(r"%(\1)s", singular.replace("%", "%%"))
        found.add(_key(ctx.group(2) if ctx else None, msgid))
    return found


def test_catalogue_header_is_japanese_single_plural_form() -> None:
    po = _catalogue()
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == "ja"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"


def test_catalogue_is_fully_translated_and_not_fuzzy() -> None:
    po = _catalogue()
    assert len(po) > 300
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    for entry in po.translated_entries():
        if entry.msgid_plural:
            assert set(entry.msgstr_plural) == {0}, entry.msgid


def test_translations_keep_every_placeholder_and_tag() -> None:
    problems = []
    for entry in _catalogue().translated_entries():
        source = entry.msgid_plural or entry.msgid
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for target in targets:
            if _placeholders(source) != _placeholders(target):
                problems.append((entry.msgid, target))
            if sorted(HTML_TAG.findall(source)) != sorted(HTML_TAG.findall(target)):
                problems.append((entry.msgid, target))
        if _placeholders(source) and "python-format" not in entry.flags:
            problems.append((entry.msgid, "missing python-format flag"))
    assert problems == []


def test_compiled_catalogue_matches_po() -> None:
    def table(entries: Any) -> dict[tuple[str, str], Any]:
        return {
            _key(e.msgctxt, e.msgid): (
                tuple(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr
            )
            for e in entries
            if e.msgid
        }

    po_table = table(_catalogue().translated_entries())
    mo_table = table(polib.mofile(str(MO_PATH)))
    assert mo_table == po_table, "run: biocommunity compilemessages -l ja (in src/biocommunity)"


def test_every_source_string_is_in_the_catalogue() -> None:
    catalogue = {_key(e.msgctxt, e.msgid) for e in _catalogue()}
    wanted: dict[tuple[str, str], str] = {}
    for path in _package_files(".py"):
        for key in _python_msgids(path):
            wanted.setdefault(key, str(path.relative_to(PACKAGE_DIR)))
    for path in _package_files(".html"):
        for key in _template_msgids(path):
            wanted.setdefault(key, str(path.relative_to(PACKAGE_DIR)))
    assert len(wanted) > 300, (
        "the scan found too few strings; is it still looking in the right place?"
    )
    missing = {key: where for key, where in wanted.items() if key not in catalogue}
    assert missing == {}, "run makemessages -l ja in src/biocommunity and translate"


def test_gettext_uses_the_catalogue() -> None:
    with translation.override("ja"):
        assert translation.gettext("Directory") == "機関ディレクトリ"
        assert translation.pgettext("council role", "Chair") == "会長"
        assert (
            translation.ngettext("%(counter)s organisation", "%(counter)s organisations", 3)
            % {"counter": 3}
            == "3機関"
        )
    with translation.override("en"):
        assert translation.gettext("Directory") == "Directory"


@pytest.mark.django_db
def test_directory_page_in_both_languages(client: Client) -> None:
    ja = client.get("/ja/directory/")
    assert ja.status_code == 200
    ja_html = ja.content.decode()
    assert '<html lang="ja">' in ja_html
    assert "機関ディレクトリ" in ja_html
    assert "絞り込み" in ja_html

    en = client.get("/en/directory/")
    assert en.status_code == 200
    en_html = en.content.decode()
    assert '<html lang="en">' in en_html
    assert "Directory" in en_html
    assert "機関ディレクトリ" not in en_html


def test_loaded_registry_pages_show_translated_labels(gtb: Any, client: Client) -> None:
    home = client.get("/ja/").content.decode()
    assert "イノベーション推進拠点" in home
    assert "協議会構成員" in home
    directory = client.get("/ja/directory/").content.decode()
    assert "大学" in directory  # an OrganizationKind facet label
    assert "窓口機関" in directory  # a HubFunction facet label
    assert "University" in client.get("/en/directory/").content.decode()
