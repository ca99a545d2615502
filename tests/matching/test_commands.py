"""`biocommunity match …`: evaluation on a labelled set, vectors for pgvector, the pipeline,
import, search and export, and clear errors naming the file and line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from biocommunity.indicators.models import Observation
from biocommunity.matching.models import Profile, ProfileVector
from biocommunity.matching.services import indexing
from tests.factories import (
    CommunityFactory,
    IntroductionFactory,
    OrganizationFactory,
    ProfileFactory,
    member_user,
    secretariat_user,
)
from tests.matching.test_visibility import cached_embedder  # noqa: F401  (autouse fixture)

# A tiny labelled set written for these tests: two languages, relevant pairs across them.
CORPUS = [
    {
        "id": "yogurt-ja",
        "kind": "seed",
        "lang": "ja",
        "title": "乳酸菌による植物性ヨーグルトの発酵技術",
        "body": "大豆飲料を乳酸菌で発酵させ、乳製品に近い食感と酸味を得る。",
    },
    {
        "id": "yogurt-en",
        "kind": "seed",
        "lang": "en",
        "title": "Plant-based yogurt fermented with lactic acid bacteria",
        "body": "Oat drinks are fermented by selected strains for a creamy texture.",
    },
    {
        "id": "insect-en",
        "kind": "capability",
        "lang": "en",
        "title": "Insect protein for aquaculture feed",
        "body": "Black soldier fly larvae reared on food waste supply protein to fish farms.",
    },
    {
        "id": "insect-ja",
        "kind": "seed",
        "lang": "ja",
        "title": "昆虫タンパク質を使った養殖用飼料",
        "body": "アメリカミズアブの幼虫を食品残渣で育て、魚の飼料にする。",
    },
    {
        "id": "drone-ja",
        "kind": "capability",
        "lang": "ja",
        "title": "ドローンによる水田の生育診断",
        "body": "マルチスペクトル画像から稲の生育むらを地図にする。",
    },
    {
        "id": "pha-en",
        "kind": "seed",
        "lang": "en",
        "title": "Biodegradable plastic from microbial polyesters",
        "body": "Bacteria turn waste plant oils into PHA that composts in the sea.",
    },
]
QUERIES = [
    {"id": "q-yogurt", "lang": "ja", "text": "植物性ヨーグルトを発酵で作りたい"},
    {"id": "q-insect", "lang": "en", "text": "insect based feed for fish farming"},
    {"id": "q-plastic", "lang": "en", "text": "plastics that bacteria make and that biodegrade"},
    {"id": "q-rice", "lang": "ja", "text": "水田の稲の生育を診断したい"},
]
QRELS = (
    "q-yogurt\tyogurt-ja\t2\nq-yogurt\tyogurt-en\t2\n"
    "q-insect\tinsect-en\t2\nq-insect\tinsect-ja\t1\n"
    "q-plastic\tpha-en\t2\nq-rice\tdrone-ja\t2\n"
)
FIGURES = {"ndcg@10", "recall@10", "mrr", "queries"}


def jsonl(rows: list[dict[str, str]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


@pytest.fixture
def labelled(tmp_path: Path) -> dict[str, Path]:
    files = {
        "corpus": tmp_path / "corpus.jsonl",
        "queries": tmp_path / "queries.jsonl",
        "qrels": tmp_path / "qrels.tsv",
    }
    files["corpus"].write_text(jsonl(CORPUS), encoding="utf-8")
    files["queries"].write_text(jsonl(QUERIES), encoding="utf-8")
    files["qrels"].write_text(QRELS, encoding="utf-8")
    return files


def evaluate(files: dict[str, Path], *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "match",
        "eval",
        "--corpus",
        str(files["corpus"]),
        "--queries",
        str(files["queries"]),
        "--qrels",
        str(files["qrels"]),
        *extra,
        stdout=out,
    )
    return out.getvalue()


# ---------------------------------------------------------------- eval


def test_eval_prints_figures_for_every_path(labelled: dict[str, Path]) -> None:
    result = json.loads(evaluate(labelled, "--format", "json"))
    assert (result["documents"], result["queries"], result["relevant_pairs"]) == (6, 4, 6)
    for mode in ("hybrid", "lexical", "dense"):
        figures = result[mode]
        assert FIGURES | {"by_lang", "cross_lingual"} == set(figures)
        assert figures["queries"] == 4
        assert set(figures["by_lang"]) == {"ja", "en"}
        assert all(set(f) == FIGURES for f in figures["by_lang"].values())
        assert set(figures["cross_lingual"]) == FIGURES
        # Cross-language pairs: yogurt-en for the Japanese query, insect-ja for the English.
        assert figures["cross_lingual"]["queries"] == 2
        for name in ("ndcg@10", "recall@10", "mrr"):
            assert 0 <= figures[name] <= 1
    # Every relevant document of this small set is within the first ten on the hybrid path.
    assert result["hybrid"]["recall@10"] == 1.0


def test_eval_lexical_only_and_table(labelled: dict[str, Path]) -> None:
    result = json.loads(evaluate(labelled, "--lexical-only"))
    assert result["dense"]["ndcg@10"] == 0 and result["dense"]["recall@10"] == 0
    assert result["lexical"]["mrr"] > 0
    table = evaluate(labelled, "--format", "table", "--lexical-only")
    assert "Matching evaluation" in table and "hybrid" in table and "nDCG@10" in table


@pytest.mark.parametrize(
    ("name", "content", "wanted"),
    [
        (
            "queries",
            '{"id": "q1", "lang": "ja", "text": "発酵"}\n{"id": "q2",\n',
            "line 2: not JSON",
        ),
        ("queries", '{"id": "q1", "lang": "ja"}\n', "line 1: missing text"),
        ("queries", '["q1", "ja", "発酵"]\n', "line 1: expected a JSON object"),
        ("corpus", '\n{"id": "d1", "lang": "ja", "title": "x"}\nnot json\n', "line 3: not JSON"),
        ("corpus", '{"id": "d1", "lang": "ja"}\n', "row 1: no title, body or text"),
        ("corpus", "", ": no rows"),
        ("qrels", "q-rice\tdrone-ja\n", "line 1: expected query_id, doc_id, grade"),
        ("qrels", "q-rice\tdrone-ja\thigh\n", "line 1: grade is not a number"),
        (
            "qrels",
            "q-rice\tdrone-ja\t1\nq-rice\tno-such-doc\t1\n",
            "unknown document id(s) no-such-doc",
        ),
    ],
)
def test_eval_input_errors_name_the_file_and_line(
    labelled: dict[str, Path], name: str, content: str, wanted: str
) -> None:
    labelled[name].write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        evaluate(labelled)
    assert str(labelled[name]) in str(exc.value)
    assert wanted in str(exc.value)


def test_eval_unknown_document_names_the_qrels_line(labelled: dict[str, Path]) -> None:
    labelled["qrels"].write_text("q-rice\tdrone-ja\t1\nq-rice\tno-such-doc\t1\n")
    with pytest.raises(CommandError, match="line 2"):
        evaluate(labelled)


@pytest.mark.parametrize("name", ["corpus", "queries", "qrels"])
def test_eval_missing_file(labelled: dict[str, Path], name: str) -> None:
    labelled[name].unlink()
    with pytest.raises(CommandError) as exc:
        evaluate(labelled)
    assert str(labelled[name]) in str(exc.value)


def test_eval_file_that_is_not_utf8(labelled: dict[str, Path]) -> None:
    labelled["corpus"].write_bytes("発酵".encode("shift_jis"))
    with pytest.raises(CommandError, match="not UTF-8"):
        evaluate(labelled)


# ---------------------------------------------------------------- vectors


@pytest.mark.django_db
def test_vectors_export_pgvector_literals(tmp_path: Path) -> None:
    profiles = [ProfileFactory(), ProfileFactory(title_en="Fly larvae", body_en="Feed.")]
    call_command("match", "rebuild", stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("match", "vectors", "--format", "pgvector", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [int(r["profile_id"]) for r in rows] == [p.pk for p in profiles]
    for row in rows:
        assert row["model"] == indexing.embedder().name  # type: ignore[union-attr]
        assert row["dimensions"] == "384"
        literal = row["embedding"]
        assert literal.startswith("[") and literal.endswith("]") and " " not in literal
        values = [float(v) for v in literal[1:-1].split(",")]
        assert len(values) == 384
        stored = ProfileVector.objects.get(profile_id=row["profile_id"])
        expected = indexing.vector_from_bytes(stored.vector, stored.dimensions)
        assert np.allclose(values, expected, rtol=1e-6, atol=1e-7)
        assert abs(float(np.linalg.norm(values)) - 1) < 1e-3
    target = tmp_path / "vectors.csv"
    err = io.StringIO()
    call_command("match", "vectors", "--output", str(target), stdout=io.StringIO(), stderr=err)
    assert "2 vectors written" in err.getvalue()
    assert target.read_text(encoding="utf-8") == out.getvalue()


# ---------------------------------------------------------------- pipeline


@pytest.mark.django_db
def test_pipeline_command_reports_and_records() -> None:
    community = CommunityFactory()
    IntroductionFactory(status="accepted")
    IntroductionFactory()
    out, err = io.StringIO(), io.StringIO()
    call_command("match", "pipeline", "--record", "--format", "json", stdout=out, stderr=err)
    rows = json.loads(out.getvalue())
    assert len(rows) == 1 and rows[0]["requested"] == 2 and rows[0]["accepted"] == 1
    assert f"3 observations written for {community.key}" in err.getvalue()
    assert Observation.objects.filter(subject__key=community.key).count() == 3
    call_command("match", "pipeline", "--record", stdout=io.StringIO(), stderr=io.StringIO())
    assert Observation.objects.count() == 3  # recorded again: replaced
    table = io.StringIO()
    call_command("match", "pipeline", stdout=table)
    assert "Introductions by year of request" in table.getvalue()


@pytest.mark.django_db
def test_pipeline_record_for_an_unknown_community() -> None:
    with pytest.raises(CommandError, match="nowhere"):
        call_command(
            "match", "pipeline", "--record", "--community", "nowhere", stderr=io.StringIO()
        )
    assert not Observation.objects.exists()


# ---------------------------------------------------------------- import, search, export

IMPORT_HEADER = "kind,organization,title_ja,body_ja,trl\n"


@pytest.fixture
def importer(db: Any) -> Any:
    OrganizationFactory(key="acme-bio")
    return secretariat_user(username="office")


def run_import(path: Path, *extra: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("match", "import", str(path), "--as-user", "office", *extra, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_import_command(importer: Any, tmp_path: Path) -> None:
    path = tmp_path / "profiles.csv"
    path.write_text(IMPORT_HEADER + "seed,acme-bio,発酵技術,乳酸菌の発酵。,3\n", encoding="utf-8")
    out, error = run_import(path, "--dry-run")
    assert error is None and json.loads(out)["dry_run"] is True
    assert not Profile.objects.exists()
    out, error = run_import(path)
    assert error is None and json.loads(out)["created"] == 1
    assert Profile.objects.get().trl == 3


def test_import_command_errors(importer: Any, tmp_path: Path) -> None:
    path = tmp_path / "profiles.csv"
    path.write_text(
        IMPORT_HEADER + "seed,acme-bio,発酵技術,乳酸菌の発酵。,3\nstartup,nobody,x,y,12\n",
        encoding="utf-8",
    )
    out, error = run_import(path)
    assert error is not None and "3 problem(s); nothing was imported" in str(error)
    report = json.loads(out)
    assert {(e["row"], e["column"]) for e in report["errors"]} == {
        (3, "kind"),
        (3, "organization"),
        (3, "trl"),
    }
    assert not Profile.objects.exists()
    _out, error = run_import(tmp_path / "missing.csv")
    assert error is not None and "missing.csv: no such file" in str(error)
    member_user(OrganizationFactory(), username="member")
    with pytest.raises(CommandError):
        call_command("match", "import", str(path), "--as-user", "member", stdout=io.StringIO())
    with pytest.raises(CommandError, match="nobody-at-all"):
        call_command(
            "match", "import", str(path), "--as-user", "nobody-at-all", stdout=io.StringIO()
        )


@pytest.mark.django_db
def test_search_command_table_and_errors() -> None:
    ProfileFactory(title_ja="乳酸菌による発酵技術", body_ja="植物性ヨーグルト。")
    out = io.StringIO()
    call_command("match", "search", "ヨーグルトの発酵", stdout=out)
    assert "乳酸菌による発酵技術" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("match", "search", "発酵", "--kind", "startup", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("match", "search", "   ", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("match", "search", "発酵", "-k", "0", stdout=io.StringIO())


@pytest.mark.django_db
def test_export_command_xlsx_needs_a_file(tmp_path: Path) -> None:
    ProfileFactory()
    with pytest.raises(CommandError, match="--output"):
        call_command("match", "export", "--format", "xlsx", stdout=io.StringIO())
    target = tmp_path / "profiles.xlsx"
    call_command("match", "export", "--format", "xlsx", "--output", str(target))
    assert target.read_bytes().startswith(b"PK")
