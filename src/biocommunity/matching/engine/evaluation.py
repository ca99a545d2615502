"""Retrieval quality on a labelled set: nDCG@10, recall@10 and MRR, overall, per query
language and over the relevant pairs that cross languages."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CUTOFF = 10


class EvaluationInputError(ValueError):
    """An evaluation file that cannot be read, naming the file and line."""


@dataclass(frozen=True)
class Query:
    id: str
    lang: str
    text: str


def read_jsonl(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise EvaluationInputError(f"{path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise EvaluationInputError(f"{path}: not UTF-8 text") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise EvaluationInputError(f"{path} line {number}: not JSON ({error.msg})") from error
        if not isinstance(row, dict):
            raise EvaluationInputError(f"{path} line {number}: expected a JSON object")
        missing = [key for key in required if not isinstance(row.get(key), str) or not row[key]]
        if missing:
            raise EvaluationInputError(f"{path} line {number}: missing {', '.join(missing)}")
        rows.append(row)
    if not rows:
        raise EvaluationInputError(f"{path}: no rows")
    return rows


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """query id → {document id: grade}; grades above zero are relevant."""
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise EvaluationInputError(f"{path}: {error.strerror or error}") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise EvaluationInputError(f"{path} line {number}: expected query_id, doc_id, grade")
        try:
            grade = int(parts[2])
        except ValueError as error:
            raise EvaluationInputError(f"{path} line {number}: grade is not a number") from error
        if grade > 0:
            qrels[parts[0]][parts[1]] = grade
    return dict(qrels)


def ndcg(ranking: Sequence[Hashable], relevant: dict[str, int], cutoff: int = CUTOFF) -> float:
    gains = sum(
        (2 ** relevant.get(str(d), 0) - 1) / math.log2(i + 2)
        for i, d in enumerate(ranking[:cutoff])
    )
    ideal = sorted(relevant.values(), reverse=True)[:cutoff]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return gains / best if best else 0.0


def recall(ranking: Sequence[Hashable], relevant: dict[str, int], cutoff: int = CUTOFF) -> float:
    found = sum(1 for d in ranking[:cutoff] if str(d) in relevant)
    return found / len(relevant) if relevant else 0.0


def reciprocal_rank(ranking: Sequence[Hashable], relevant: dict[str, int]) -> float:
    for i, d in enumerate(ranking):
        if str(d) in relevant:
            return 1.0 / (i + 1)
    return 0.0


def figures(pairs: Iterable[tuple[Sequence[Hashable], dict[str, int]]]) -> dict[str, float]:
    """Mean nDCG@10, recall@10 and MRR over (ranking, relevant) pairs with something relevant."""
    rows = [(r, rel) for r, rel in pairs if rel]
    if not rows:
        return {"ndcg@10": 0.0, "recall@10": 0.0, "mrr": 0.0, "queries": 0}
    return {
        "ndcg@10": round(sum(ndcg(r, rel) for r, rel in rows) / len(rows), 4),
        "recall@10": round(sum(recall(r, rel) for r, rel in rows) / len(rows), 4),
        "mrr": round(sum(reciprocal_rank(r, rel) for r, rel in rows) / len(rows), 4),
        "queries": len(rows),
    }


def evaluate(
    queries: Sequence[Query],
    qrels: dict[str, dict[str, int]],
    document_lang: dict[str, str],
    rank: Callable[[Query], list[Hashable]],
) -> dict[str, object]:
    """Figures for one ranking function: overall, ``by_lang`` and ``cross_lingual``.

    Cross-lingual figures keep the ranking as it is and count as relevant only the pairs whose
    document language differs from the query's.
    """
    rankings = {q.id: rank(q) for q in queries}
    judged = [q for q in queries if qrels.get(q.id)]
    result: dict[str, object] = dict(figures((rankings[q.id], qrels[q.id]) for q in judged))
    by_lang = {}
    for lang in sorted({q.lang for q in judged}):
        by_lang[lang] = figures((rankings[q.id], qrels[q.id]) for q in judged if q.lang == lang)
    result["by_lang"] = by_lang
    result["cross_lingual"] = figures(
        (
            rankings[q.id],
            {d: g for d, g in qrels[q.id].items() if document_lang.get(d, q.lang) != q.lang},
        )
        for q in judged
    )
    return result


def run_evaluation(
    corpus: Path,
    queries: Path,
    qrels: Path,
    *,
    make_index: Callable[[], Any],
) -> dict[str, object]:
    """Index the corpus in a throw-away MatchIndex and score hybrid, lexical and dense."""
    from biocommunity.matching.engine.index import MODES, Entry, Mode

    documents = read_jsonl(corpus, ["id", "lang"])
    for number, row in enumerate(documents, start=1):
        if not (row.get("title") or row.get("body") or row.get("text")):
            raise EvaluationInputError(f"{corpus} row {number}: no title, body or text")
    query_rows = read_jsonl(queries, ["id", "lang", "text"])
    judgements = read_qrels(qrels)
    known = {row["id"] for row in documents}
    unknown = sorted({d for rel in judgements.values() for d in rel if d not in known})
    if unknown:
        lines = qrels.read_text(encoding="utf-8").splitlines()
        number = next(
            (n for n, line in enumerate(lines, start=1) if line.split("\t")[1:2] == unknown[:1]),
            0,
        )
        raise EvaluationInputError(
            f"{qrels} line {number}: unknown document id(s) {', '.join(unknown[:5])}"
        )
    entries = [
        Entry(
            row["id"],
            "\n".join(str(row.get(k) or "") for k in ("title", "body", "text") if row.get(k)),
            row["lang"],
        )
        for row in documents
    ]
    index = make_index().build(entries)
    parsed = [Query(row["id"], row["lang"], row["text"]) for row in query_rows]
    document_lang = {row["id"]: row["lang"] for row in documents}
    result: dict[str, object] = {}
    for mode in MODES:

        def rank(query: Query, mode: Mode = mode) -> list[Hashable]:
            return [hit.id for hit in index.search(query.text, k=CUTOFF, mode=mode)]

        result[mode] = evaluate(parsed, judgements, document_lang, rank)
    result["documents"] = len(entries)
    result["queries"] = len(parsed)
    result["relevant_pairs"] = sum(len(r) for r in judgements.values())
    return result
