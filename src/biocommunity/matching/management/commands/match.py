from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from biocommunity.matching.engine.evaluation import EvaluationInputError, run_evaluation
from biocommunity.matching.engine.index import MODES, MatchIndex
from biocommunity.matching.models import Profile
from biocommunity.matching.services import indexing, introductions, profiles, search


class Command(BaseCommand):
    help = (
        "Matching: evaluate the engine on a labelled set, rebuild the index, search, import "
        "and export profiles, export vectors for pgvector, and report the introduction pipeline."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        evaluate = actions.add_parser("eval", help="nDCG@10, recall@10 and MRR per path")
        evaluate.add_argument("--corpus", required=True, type=Path)
        evaluate.add_argument("--queries", required=True, type=Path)
        evaluate.add_argument("--qrels", required=True, type=Path)
        evaluate.add_argument("--format", choices=["json", "table"], default="json")
        evaluate.add_argument(
            "--lexical-only", action="store_true", help="skip the embedder (dense scores 0)"
        )
        rebuild = actions.add_parser("rebuild", help="re-embed profiles and refresh every index")
        rebuild.add_argument("--all", action="store_true", help="re-embed every profile")
        find = actions.add_parser("search", help="search profiles as a user (default: public)")
        find.add_argument("query")
        find.add_argument("--as-user", default="", help="username whose view to search with")
        find.add_argument("--kind", default="")
        find.add_argument("--domain", default="")
        find.add_argument("-k", type=int, default=10)
        find.add_argument("--mode", choices=MODES, default="hybrid")
        find.add_argument("--format", choices=["json", "table"], default="table")
        load = actions.add_parser("import", help="import profiles from CSV/XLSX (all or nothing)")
        load.add_argument("file", type=Path)
        load.add_argument("--as-user", required=True, help="a secretariat username")
        load.add_argument("--dry-run", action="store_true")
        dump = actions.add_parser("export", help="export profiles as csv, json or xlsx")
        dump.add_argument("--as-user", default="", help="username whose view to export")
        dump.add_argument("--format", choices=["csv", "json", "xlsx"], default="csv")
        dump.add_argument("--output", type=Path, help="file to write (default: standard output)")
        vectors = actions.add_parser("vectors", help="export stored vectors (pgvector CSV)")
        vectors.add_argument("--format", choices=["pgvector"], default="pgvector")
        vectors.add_argument("--output", type=Path)
        report = actions.add_parser("pipeline", help="introductions requested/accepted/met")
        report.add_argument("--record", action="store_true", help="write indicator observations")
        report.add_argument("--community", default=settings.BIOCOMMUNITY_DEFAULT_COMMUNITY)
        report.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, f"do_{action}")(options)
        except (PermissionDenied, search.QueryError, ValidationError) as exc:
            message = exc.message if isinstance(exc, search.QueryError) else str(exc)
            raise CommandError(message) from exc

    def _console(self) -> Console:
        return Console(file=cast("IO[str]", self.stdout), width=160)

    def _user(self, username: str) -> Any:
        if not username:
            from django.contrib.auth.models import AnonymousUser

            return AnonymousUser()
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user is called {username!r}.") from None

    def do_eval(self, options: dict[str, Any]) -> None:
        embedder = None if options["lexical_only"] else indexing.embedder()

        def make_index() -> MatchIndex:
            return MatchIndex(indexing.analyzer(), embedder)

        try:
            result = run_evaluation(
                options["corpus"], options["queries"], options["qrels"], make_index=make_index
            )
        except EvaluationInputError as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
            return
        table = Table(title="Matching evaluation")
        for column in ("path", "nDCG@10", "recall@10", "MRR", "cross-lingual nDCG@10", "recall@10"):
            table.add_column(column)
        for mode in MODES:
            figures = cast("dict[str, Any]", result[mode])
            cross = figures["cross_lingual"]
            table.add_row(
                mode,
                f"{figures['ndcg@10']:.3f}",
                f"{figures['recall@10']:.3f}",
                f"{figures['mrr']:.3f}",
                f"{cross['ndcg@10']:.3f}",
                f"{cross['recall@10']:.3f}",
            )
        self._console().print(table)

    def do_rebuild(self, options: dict[str, Any]) -> None:
        model = indexing.embedder()
        targets = (
            Profile.objects.count()
            if options["all"] or model is None
            else len(indexing.stale_profiles(model))
        )
        with Progress(console=Console(file=sys.stderr), transient=True) as progress:
            task = progress.add_task("Embedding profiles", total=max(targets, 1))
            report = indexing.rebuild(
                everything=options["all"], progress=lambda n: progress.advance(task, n)
            )
            progress.update(task, completed=max(targets, 1))
        self.stdout.write(
            f"{report.profiles} profiles indexed; "
            f"{report.embedded} embedded with {report.embedder}."
        )

    def do_search(self, options: dict[str, Any]) -> None:
        user = self._user(options["as_user"])
        filters = search.parse_filters({"kind": options["kind"], "domain": options["domain"]})
        matches = search.search(
            user, options["query"], filters=filters, k=options["k"], mode=options["mode"]
        )
        if options["format"] == "json":
            data = [
                {
                    "rank": m.rank,
                    "id": m.profile.pk,
                    "kind": m.profile.kind,
                    "title_ja": m.profile.title_ja,
                    "title_en": m.profile.title_en,
                    "organization": m.profile.organization.key,
                    "score": round(m.score, 4),
                    "explanation": m.explanation.as_dict(),
                }
                for m in matches
            ]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=1))
            return
        table = Table(title=f"Matches for: {options['query']}")
        for column in ("#", "id", "kind", "title", "organisation", "score", "shared concepts"):
            table.add_column(column)
        for m in matches:
            table.add_row(
                str(m.rank),
                str(m.profile.pk),
                m.profile.kind,
                m.profile.title_ja or m.profile.title_en,
                m.profile.organization.key,
                f"{m.score:.3f}",
                "; ".join(f"{c.ja} / {c.en}" for c in m.explanation.concepts),
            )
        self._console().print(table)

    def do_import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        report = profiles.import_profiles(
            path.read_bytes(),
            path.name,
            user=self._user(options["as_user"]),
            dry_run=options["dry_run"],
        )
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        if not report.ok:
            raise CommandError(f"{len(report.errors)} problem(s); nothing was imported.")

    def do_export(self, options: dict[str, Any]) -> None:
        data = profiles.export_profiles(self._user(options["as_user"]), options["format"])
        if options["output"]:
            options["output"].write_bytes(data)
        elif options["format"] == "xlsx":
            raise CommandError("Give --output for xlsx.")
        else:
            self.stdout.write(data.decode("utf-8-sig"))

    def do_vectors(self, options: dict[str, Any]) -> None:
        if options["output"]:
            with options["output"].open("w", encoding="utf-8", newline="") as handle:
                count = indexing.export_pgvector(handle)
            self.stderr.write(f"{count} vectors written to {options['output']}")
        else:
            indexing.export_pgvector(self.stdout)

    def do_pipeline(self, options: dict[str, Any]) -> None:
        # The CLI runs with the operator's authority, as the secretariat.
        operator = _Operator()
        if options["record"]:
            try:
                written = introductions.record_pipeline(
                    operator, community_key=options["community"]
                )
            except ObjectDoesNotExist:
                raise CommandError(
                    f"No community has the key {options['community']!r}: load the dataset first."
                ) from None
            self.stderr.write(f"{written} observations written for {options['community']}.")
        rows = introductions.pipeline(operator)
        if options["format"] == "json":
            self.stdout.write(json.dumps([r.__dict__ for r in rows], indent=1))
            return
        table = Table(title="Introductions by year of request")
        for column in ("year", "requested", "accepted", "declined", "meetings held"):
            table.add_column(column)
        for r in rows:
            table.add_row(
                r.period, str(r.requested), str(r.accepted), str(r.declined), str(r.meetings)
            )
        self._console().print(table)


class _Operator:
    """The person at the server's command line: acts with the secretariat's authority."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None
