"""Add Japanese translations to the catalogue and recompile it, safely from several shells.

    python scripts/add_translations.py PAIRS.json

PAIRS.json is a list of {"msgid": …, "msgstr": …} objects (optional "msgctxt",
"msgid_plural" with "msgstr_plural": {"0": …}). An entry already translated
differently is kept and reported (pass --replace to change it).
The catalogue is locked while it is rewritten, so two people adding at once lose nothing;
`make messages` later puts the entries in the usual order and drops unused ones.
"""

from __future__ import annotations

import fcntl
import json
import re
import sys
from pathlib import Path

import polib

PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[#0\- +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")

CATALOGUE = (
    Path(__file__).resolve().parent.parent / "src/biocommunity/locale/ja/LC_MESSAGES/django.po"
)


def main(path: str, replace: bool = False) -> None:
    pairs = json.loads(Path(path).read_text(encoding="utf-8"))
    lock_path = CATALOGUE.with_suffix(".lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        po = polib.pofile(str(CATALOGUE))
        added = updated = 0
        conflicts: list[str] = []
        for pair in pairs:
            ctx = pair.get("msgctxt") or None
            entry = po.find(pair["msgid"], msgctxt=ctx) if ctx else po.find(pair["msgid"])
            if entry is not None and (entry.msgctxt or None) != ctx:
                entry = None
            if entry is None:
                entry = polib.POEntry(msgid=pair["msgid"], msgctxt=ctx)
                if "msgid_plural" in pair:
                    entry.msgid_plural = pair["msgid_plural"]
                po.append(entry)
                added += 1
            elif entry.msgstr and entry.msgstr != pair.get("msgstr") and not replace:
                # Another string shares this msgid: say so rather than change its meaning.
                conflicts.append(f"{pair['msgid']!r}: kept {entry.msgstr!r}")
                continue
            else:
                updated += 1
            if "msgstr_plural" in pair:
                entry.msgstr_plural = {int(k): v for k, v in pair["msgstr_plural"].items()}
            else:
                entry.msgstr = pair["msgstr"]
            if PLACEHOLDER.search(entry.msgid) and "python-format" not in entry.flags:
                entry.flags.append("python-format")
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.save(str(CATALOGUE))
        po.save_as_mofile(str(CATALOGUE.with_suffix(".mo")))
        fcntl.flock(lock, fcntl.LOCK_UN)
    print(f"{added} added, {updated} updated; catalogue compiled")
    for conflict in conflicts:
        print(f"already translated differently (use pgettext or --replace): {conflict}")


if __name__ == "__main__":
    main(sys.argv[1], replace="--replace" in sys.argv[2:])
