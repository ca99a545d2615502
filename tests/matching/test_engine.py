"""The matching engine on its own (no database): glossary, analysis, BM25 across languages,
filters before ranking on every path, exact and HNSW vector stores, fusion and the metrics."""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence

import numpy as np
import pytest

from biocommunity.matching.engine import index as index_module
from biocommunity.matching.engine.analysis import CONCEPT_PREFIX, Analyzer
from biocommunity.matching.engine.dense import ExactVectors, HnswVectors, top_k
from biocommunity.matching.engine.evaluation import (
    Query,
    evaluate,
    figures,
    ndcg,
    recall,
    reciprocal_rank,
)
from biocommunity.matching.engine.fusion import FusionWeights, fuse, ranks
from biocommunity.matching.engine.glossary import GlossaryError, parse_glossary
from biocommunity.matching.engine.index import MODES, Entry, MatchIndex

GLOSSARY = """key,ja,en,abbreviations,domain,source
antibody,抗体,antibody;antibodies,,bio,test
monoclonal-antibody,抗体医薬品;モノクローナル抗体,monoclonal antibody;antibody drug,mAb,bio,test
cho-cell,CHO細胞,Chinese hamster ovary cell,CHO,bio,test
car-t,CAR-T細胞,CAR T cell,CAR-T,bio,test
bioreactor,バイオリアクター;培養槽,bioreactor,,bio,test
soil-microbe,土壌微生物,soil microbe,,agri,test
"""


@pytest.fixture(scope="module")
def glossary():  # type: ignore[no-untyped-def]
    return parse_glossary(GLOSSARY, origin="test.csv")


@pytest.fixture(scope="module")
def analyzer(glossary) -> Analyzer:  # type: ignore[no-untyped-def]
    return Analyzer(glossary)


class HashEmbedder:
    """A deterministic stand-in for the model: hashed bag of words, unit length."""

    name = "hash-test"
    dimensions = 64

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimensions, dtype=np.float32)
        for token in re.findall(r"\w+", text.lower()):
            vector[zlib.crc32(token.encode()) % self.dimensions] += 1
        if not vector.any():
            vector[0] = 1
        return vector / np.linalg.norm(vector)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self._vector(t) for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.vstack([self._vector(t) for t in texts])


# ---------------------------------------------------------------- glossary


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("key,ja\nx,抗体\n", "test.csv: missing column(s) en"),
        ("key,ja,en\n,抗体,antibody\n", "test.csv row 2: key is empty"),
        (
            "key,ja,en\na,抗体,antibody\nb,細胞,cell\na,酵素,enzyme\n",
            "row 4: key 'a' already used on row 2",
        ),
        ("key,ja,en\na,抗体,antibody\nb,,\n", "test.csv row 3: 'b' has neither ja nor en terms"),
    ],
)
def test_glossary_errors_name_the_row(text: str, message: str) -> None:
    with pytest.raises(GlossaryError, match=re.escape(message)):
        parse_glossary(text, origin="test.csv")


def test_glossary_finds_japanese_english_and_abbreviations(glossary) -> None:  # type: ignore[no-untyped-def]
    assert len(glossary) == 6 and "cho-cell" in glossary
    assert glossary.find("抗体医薬品をCHO細胞で製造する") == [
        ("monoclonal-antibody", "抗体医薬品"),  # longest: not 抗体 alone
        ("cho-cell", "CHO細胞"),  # longest: not the abbreviation CHO alone
    ]
    assert glossary.find("Antibody Drugs made in CHO cells") == [
        ("monoclonal-antibody", "Antibody Drugs"),  # plural, any case, longest
        ("cho-cell", "CHO"),
    ]
    assert glossary.find("a mAb for CAR-T cells, then antibodies") == [
        ("monoclonal-antibody", "mAb"),
        ("car-t", "CAR-T cells"),  # the English term (spelt with a hyphen) beats CAR-T
        ("antibody", "antibodies"),
    ]
    # Short abbreviations keep their case and stand alone.
    assert glossary.find("MAB chosen; CHOICE") == []
    # Full-width letters are folded before matching.
    assert glossary.find("ＣＨＯ細胞") == [("cho-cell", "CHO細胞")]
    assert glossary.find("bioreactors and 培養槽") == [
        ("bioreactor", "bioreactors"),
        ("bioreactor", "培養槽"),
    ]


def test_concept_labels_name_both_languages(glossary) -> None:  # type: ignore[no-untyped-def]
    concept = glossary.concept("monoclonal-antibody")
    assert concept.label("ja") == "抗体医薬品 (mAb)"
    assert concept.label("en") == "monoclonal antibody (mAb)"
    assert glossary.concept("antibody").label("en") == "antibody"


# ---------------------------------------------------------------- analysis


def test_japanese_tokens_are_normalised_content_words() -> None:
    analyzer = Analyzer()
    assert analyzer.words("サーバを用いて細胞を培養する") == ["サーバー", "用いる", "細胞", "培養"]
    assert analyzer.words("ｻｰﾊﾞｰ") == ["サーバー"]  # half-width katakana
    assert analyzer.words("附属病院で治験を行った") == ["付属", "病院", "治験"]
    # Particles, auxiliaries and する/こと-type words are dropped.
    assert "の" not in analyzer.words("抗体の製造をすること")
    assert "する" not in analyzer.words("抗体の製造をすること")


def test_english_tokens_are_stemmed_without_stopwords() -> None:
    analyzer = Analyzer()
    assert analyzer.words("We are looking for the manufacturing of cultured cells") == [
        "manufactur",
        "cultur",
        "cell",
    ]
    assert analyzer.words("Antibodies") == analyzer.words("antibody")
    assert analyzer.words("ＣＨＯ細胞") == ["cho", "細胞"]


def test_analysis_adds_one_concept_token_per_mention(analyzer: Analyzer) -> None:
    analysis = analyzer.analyze("抗体医薬品 and monoclonal antibody")
    assert analysis.concepts == ("monoclonal-antibody", "monoclonal-antibody")
    assert analysis.search_tokens.count(CONCEPT_PREFIX + "monoclonal-antibody") == 2
    assert analysis.terms == {"monoclonal-antibody": "抗体医薬品"}


# ---------------------------------------------------------------- lexical, across languages

DOCS = [
    Entry("ja-mab", "抗体医薬品の高生産プロセスを開発した。", "ja"),
    Entry("ja-soil", "土壌微生物による肥料の削減。", "ja"),
    Entry("en-soil", "Soil microbes that replace chemical fertiliser.", "en"),
    Entry("en-cart", "Automated CAR-T cell manufacturing.", "en"),
    Entry("ja-reactor", "シングルユース培養槽の受託運転。", "ja"),
    Entry("en-mab", "Monoclonal antibody purification by continuous chromatography.", "en"),
]


def test_bm25_finds_a_japanese_document_from_an_english_query(analyzer: Analyzer) -> None:
    index = MatchIndex(analyzer, None).build(DOCS[:5])
    hits = index.search("antibody drug production", mode="lexical")
    assert [h.id for h in hits] == ["ja-mab"]
    assert hits[0].concepts == ("monoclonal-antibody",)
    assert hits[0].dense == 0 and hits[0].lexical > 0
    # Without the glossary nothing bridges the languages.
    plain = MatchIndex(Analyzer(None), None).build(DOCS[:5])
    assert plain.search("antibody drug production", mode="lexical") == []
    # And the reverse: a Japanese query finds English documents.
    reverse = index.search("土壌微生物", mode="lexical")
    assert {h.id for h in reverse} == {"ja-soil", "en-soil"}


def test_hits_explain_shared_words(analyzer: Analyzer) -> None:
    index = MatchIndex(analyzer, None).build(DOCS)
    hit = index.search("continuous chromatography", mode="lexical")[0]
    assert hit.id == "en-mab"
    assert set(hit.words) == {"continu", "chromatographi"}


def test_without_an_embedder_dense_finds_nothing_and_hybrid_is_lexical(
    analyzer: Analyzer,
) -> None:
    index = MatchIndex(analyzer, None).build(DOCS)
    assert index.search("antibody", mode="dense") == []
    assert [h.id for h in index.search("antibody", mode="hybrid")] == [
        h.id for h in index.search("antibody", mode="lexical")
    ]
    assert MatchIndex(analyzer, None).build([]).search("antibody") == []


@pytest.mark.parametrize("mode", MODES)
def test_filters_apply_before_ranking(analyzer: Analyzer, mode: str) -> None:
    index = MatchIndex(analyzer, HashEmbedder()).build(DOCS)
    query = "monoclonal antibody 抗体医薬品"
    best = index.search(query, k=1, mode=mode)[0].id  # type: ignore[arg-type]
    allowed_ids = [d.id for d in DOCS if d.id != best]
    mask = index.mask([*allowed_ids, "not-indexed"])
    assert mask is not None and mask.sum() == len(DOCS) - 1
    hits = index.search(query, k=10, allowed=mask, mode=mode)  # type: ignore[arg-type]
    assert hits and best not in {h.id for h in hits}
    # k counts allowed rows: the filter is not applied to a top-k already cut.
    one = index.search(query, k=1, allowed=mask, mode=mode)  # type: ignore[arg-type]
    assert len(one) == 1 and one[0].id == hits[0].id
    only = index.mask(["ja-soil"])
    found = index.search(query, k=10, allowed=only, mode=mode)  # type: ignore[arg-type]
    assert {h.id for h in found} <= {"ja-soil"}
    none = index.mask([])
    assert index.search(query, allowed=none, mode=mode) == []  # type: ignore[arg-type]


def test_analysis_in_several_processes_builds_the_same_index(
    analyzer: Analyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "ANALYSIS_CHUNK", 2)  # several chunks from a few docs
    steps: list[int] = []
    serial = MatchIndex(analyzer, None).build(DOCS)
    forked = MatchIndex(analyzer, None).build(DOCS, progress=steps.append, workers=2)
    assert sum(steps) == len(DOCS) and max(steps) == 2  # progress came per chunk
    assert [forked.concepts[r] for r in range(len(DOCS))] == [
        serial.concepts[r] for r in range(len(DOCS))
    ]
    for query in ("antibody drug production", "土壌微生物", "continuous chromatography"):
        assert forked.search(query, mode="lexical") == serial.search(query, mode="lexical")


class RecordingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        self.queries: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries.extend(texts)
        return super().embed_queries(texts)


def test_query_is_embedded_with_the_glossary_names_it_does_not_spell_out(
    analyzer: Analyzer,
) -> None:
    embedder = RecordingEmbedder()
    index = MatchIndex(analyzer, embedder).build(DOCS)
    index.search("抗体医薬品の受託先", mode="dense")
    index.search("mAb production in CHO cells", mode="dense")
    japanese, english = embedder.queries
    assert japanese == "抗体医薬品の受託先 (monoclonal antibody)"
    assert english == (
        "mAb production in CHO cells (抗体医薬品; monoclonal antibody; CHO細胞; "
        "Chinese hamster ovary cell)"
    )


def test_hnsw_store_is_used_above_the_threshold(analyzer: Analyzer) -> None:
    index = MatchIndex(analyzer, HashEmbedder(), ann_threshold=3).build(DOCS)
    assert isinstance(index.vectors, HnswVectors)
    mask = index.mask(["en-soil", "ja-soil"])
    hits = index.search("soil microbes", allowed=mask, mode="dense")
    assert {h.id for h in hits} == {"en-soil", "ja-soil"}
    small = MatchIndex(analyzer, HashEmbedder()).build(DOCS)
    assert isinstance(small.vectors, ExactVectors)


# ---------------------------------------------------------------- vector stores


def _unit(rows: int, dims: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((rows, dims)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _recall(found: list[np.ndarray], truth: list[np.ndarray]) -> float:
    hits = sum(len(set(f.tolist()) & set(t.tolist())) for f, t in zip(found, truth, strict=True))
    return hits / sum(len(t) for t in truth)


@pytest.fixture(scope="module")
def stores() -> tuple[np.ndarray, np.ndarray, ExactVectors, HnswVectors]:
    vectors = _unit(3000, 32, seed=1)
    queries = _unit(30, 32, seed=2)
    return vectors, queries, ExactVectors(vectors), HnswVectors(vectors, exact_below=0)


def test_exact_and_hnsw_agree(stores) -> None:  # type: ignore[no-untyped-def]
    vectors, queries, exact, hnsw = stores
    assert len(exact) == len(hnsw) == 3000
    truth = [exact.search(q, 10) for q in queries]
    for q, rows in zip(queries, truth, strict=True):
        scores = vectors[rows] @ q
        assert np.all(np.diff(scores) <= 1e-6)  # best first
    assert _recall([hnsw.search(q, 10) for q in queries], truth) >= 0.9
    rows = truth[0]
    assert np.allclose(hnsw.score(queries[0], rows), exact.score(queries[0], rows), atol=1e-2)
    assert hnsw.nbytes > 0 and exact.nbytes == vectors.nbytes


def test_filtered_hnsw_returns_only_allowed_rows(stores) -> None:  # type: ignore[no-untyped-def]
    vectors, queries, exact, hnsw = stores
    allowed = np.random.default_rng(3).random(len(vectors)) < 0.3
    truth = [exact.search(q, 10, allowed) for q in queries]
    graph = [hnsw.search(q, 10, allowed) for q in queries]  # through the graph, with a bitmap
    assert all(allowed[found].all() for found in graph)
    assert _recall(graph, truth) >= 0.9
    # A filter that leaves few rows is searched exactly over them.
    few = np.zeros(len(vectors), dtype=bool)
    few[[5, 50, 500]] = True
    small = HnswVectors(vectors[:600], exact_below=100)
    assert sorted(small.search(queries[0], 10, few[:600]).tolist()) == [5, 50, 500]
    assert small.search(queries[0], 10, np.zeros(600, dtype=bool)).size == 0


def test_top_k_ignores_non_finite_scores() -> None:
    scores = np.array([0.5, -np.inf, 0.9, 0.1, -np.inf])
    assert top_k(scores, 2).tolist() == [2, 0]
    assert top_k(scores, 10).tolist() == [2, 0, 3]
    assert top_k(np.array([-np.inf]), 3).size == 0


# ---------------------------------------------------------------- fusion


def test_ranks_share_ties() -> None:
    assert ranks(np.array([3.0, 5.0, 5.0, 1.0])).tolist() == [2, 0, 0, 3]


def test_weighted_reciprocal_rank_fusion() -> None:
    weights = FusionWeights()
    assert (weights.lexical, weights.dense, weights.rank_constant) == (0.3, 0.7, 60)
    lexical = np.array([10.0, 1.0, 5.0])
    dense = np.array([0.1, 0.9, 0.5])
    fused = fuse(lexical, dense, weights)
    expected = [0.3 / 61 + 0.7 / 63, 0.3 / 63 + 0.7 / 61, 0.3 / 62 + 0.7 / 62]
    assert fused.tolist() == pytest.approx(expected)
    # The dense path weighs more: its best beats the lexical path's best.
    assert np.argsort(-fused).tolist() == [1, 2, 0]
    # Ranks, not scores: rescaling one path changes nothing.
    assert fuse(lexical * 1000, dense, weights).tolist() == pytest.approx(fused.tolist())
    assert fuse(np.zeros(0), np.zeros(0), weights).size == 0


def test_unmatched_lexical_candidates_share_the_last_lexical_rank() -> None:
    fused = fuse(np.array([10.0, 0.0, 0.0]), np.array([0.1, 0.9, 0.5]), FusionWeights())
    # Both unmatched candidates take lexical rank 2 (the third place), the matched one rank 1.
    assert fused[1] == pytest.approx(0.3 / 62 + 0.7 / 61)
    assert fused[2] == pytest.approx(0.3 / 62 + 0.7 / 62)


# ---------------------------------------------------------------- metrics

RANKING = ["a", "b", "c", "d"]
RELEVANT = {"b": 2, "c": 1}


def test_metrics_on_a_hand_made_example() -> None:
    dcg = (2**2 - 1) / math.log2(3) + (2**1 - 1) / math.log2(4)
    ideal = (2**2 - 1) / math.log2(2) + (2**1 - 1) / math.log2(3)
    assert ndcg(RANKING, RELEVANT) == pytest.approx(dcg / ideal)
    assert ndcg(RANKING, RELEVANT) == pytest.approx(0.659, abs=1e-3)
    assert ndcg(["b", "c"], RELEVANT) == pytest.approx(1.0)
    assert ndcg(RANKING, {}) == 0.0
    assert recall(RANKING, RELEVANT) == 1.0
    assert recall(RANKING, RELEVANT, cutoff=2) == 0.5
    assert recall(RANKING, {"z": 1}) == 0.0
    assert reciprocal_rank(RANKING, RELEVANT) == 0.5
    assert reciprocal_rank(RANKING, {"z": 1}) == 0.0
    # Only the first ten count.
    late = [f"x{i}" for i in range(10)] + ["b"]
    assert ndcg(late, RELEVANT) == 0.0 and recall(late, RELEVANT) == 0.0
    assert reciprocal_rank(late, RELEVANT) == pytest.approx(1 / 11)
    # Ids are compared as text: integer ids from the index match string qrels.
    assert reciprocal_rank([7, 8], {"8": 1}) == 0.5


def test_figures_average_over_judged_queries() -> None:
    result = figures([(RANKING, RELEVANT), (["z", "a"], {"a": 1}), (RANKING, {})])
    assert result["queries"] == 2
    assert result["mrr"] == round((0.5 + 0.5) / 2, 4)
    assert result["recall@10"] == 1.0
    assert result["ndcg@10"] == round((0.659_003 + 1 / math.log2(3)) / 2, 4)
    assert figures([]) == {"ndcg@10": 0.0, "recall@10": 0.0, "mrr": 0.0, "queries": 0}


def test_cross_lingual_counts_only_pairs_across_languages() -> None:
    queries = [
        Query("q-ja", "ja", "抗体"),
        Query("q-en", "en", "antibody"),
        Query("q-no", "en", "x"),
    ]
    qrels = {"q-ja": {"d-en": 1, "d-ja": 1}, "q-en": {"d-en": 1}}
    document_lang = {"d-en": "en", "d-ja": "ja"}
    rankings = {"q-ja": ["d-ja", "d-en"], "q-en": ["d-ja", "d-en"], "q-no": []}
    result = evaluate(queries, qrels, document_lang, lambda q: list(rankings[q.id]))
    # q-ja: its Japanese document counts as not relevant here, the English one at rank 2.
    # q-en has only a same-language pair: it is not a cross-lingual query at all.
    cross = result["cross_lingual"]
    assert cross == {
        "ndcg@10": round(1 / math.log2(3), 4),
        "recall@10": 1.0,
        "mrr": 0.5,
        "queries": 1,
    }
    assert result["queries"] == 2  # q-no has no judgements
    by_lang = result["by_lang"]
    assert set(by_lang) == {"ja", "en"}  # type: ignore[arg-type]
    assert by_lang["ja"]["mrr"] == 1.0 and by_lang["en"]["mrr"] == 0.5  # type: ignore[index]
