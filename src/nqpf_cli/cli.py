"""The nqpf command line: parse, call the core, hand the result to one output.

Errors are caught in one place (`main`), printed as one line on stderr, and mapped to
the documented exit codes; a traceback only appears with NQPF_DEBUG=1.

No `from __future__ import annotations` here: Typer reads every parameter's annotation on
each run, and evaluating them from strings costs about a millisecond of start-up.
"""

import os
import sys
from collections.abc import Callable
from typing import Annotated, Any

import click
import typer

from . import __version__, formats
from .errors import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    NotFoundError,
    NqpfError,
    UsageError,
)
from .models import KINDS, KnowledgeBase, Severity
from .output import COLOR_MODES, ReaderGone, pick_format, use_color, width, write
from .textsafe import one_line, visible

HELP = """A bilingual glossary of China's industrial policy around new quality productive
forces (新质生产力): sourced definitions, comparisons and lists.

Exit codes: 0 ok, 1 nothing found, 2 usage error, 3 invalid or unreadable knowledge
base, 74 output could not be written, 130 interrupted.
"""

APP_SETTINGS: dict[str, Any] = {
    "name": "nqpf",
    "help": HELP,
    "add_completion": True,
    "no_args_is_help": True,
    "rich_markup_mode": None,
    "pretty_exceptions_enable": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**APP_SETTINGS)


def complete_terms(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Ids, names, aliases and Chinese names for TAB; silent (no candidates) on any error."""
    try:
        from .completion import candidates

        root = ctx.find_root().params
        return candidates(
            incomplete,
            list(root.get("kb") or []) + list(ctx.params.get("kb") or []),
            include_shipped=not root.get("no_default", False),
        )
    except Exception:  # a broken knowledge base must never print a traceback during TAB
        return []


class Settings:
    """Options that apply to every command (plain class: cheaper to import than a dataclass)."""

    def __init__(
        self, kb_paths: list[str] | None = None, color: str = "auto", no_default: bool = False
    ) -> None:
        self.kb_paths: list[str] = list(kb_paths or [])
        self.color = color
        self.no_default = no_default


FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="table | plain | json | csv | markdown (default: table on a terminal, "
        "plain in a pipe)",
        click_type=click.Choice(formats.FORMATS),
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Short for --format json.")]
KbOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--kb",
        help="Extra knowledge-base file or folder of *.yaml, layered on top (repeatable).",
        metavar="PATH",
    ),
]
ColorOpt = Annotated[
    str | None,
    typer.Option("--color", help="auto | always | never", click_type=click.Choice(COLOR_MODES)),
]


def _settings(ctx: typer.Context, kb: list[str] | None, color: str | None) -> Settings:
    base = ctx.find_object(Settings) or Settings()
    return Settings(
        kb_paths=[*base.kb_paths, *(kb or [])],
        color=color or base.color,
        no_default=base.no_default,
    )


def _load(settings: Settings) -> KnowledgeBase:
    from .kb import require_valid

    return require_valid(_load_raw(settings))


def _load_raw(settings: Settings) -> KnowledgeBase:
    """Load the layers; index problems become one warning, a slow build a progress bar."""
    from .kb import load

    progress = None
    if sys.stderr is not None and sys.stderr.isatty():
        from .render import BuildProgress

        delay = os.environ.get("NQPF_PROGRESS_DELAY", "")  # seconds before a bar shows
        progress = BuildProgress(float(delay) if delay.replace(".", "", 1).isdigit() else 1.0)
    try:
        return load(
            settings.kb_paths,
            include_shipped=not settings.no_default,
            progress=progress,
            warn=lambda message: _say(f"nqpf: warning: {message}"),
        )
    finally:
        if progress is not None:
            progress.close()


def _show(
    fmt: str,
    settings: Settings,
    data: Callable[[], Any],
    text: dict[str, Callable[[], str]],
    table: tuple[str, Any],
) -> None:
    """Write one result; Rich is only imported when a table is asked for."""
    if fmt == "json":
        write(formats.dumps(data()), binary_utf8=True)
    elif fmt == "table":
        from . import render

        builder, subject = table
        renderable = getattr(render, builder)(subject)
        write(render.to_text(renderable, width(), use_color(settings.color)))
    else:
        write(text[fmt]())


def _version(value: bool) -> None:
    if value:
        write(f"nqpf {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    kb: KbOpt = None,
    color: ColorOpt = None,
    no_default: Annotated[
        bool, typer.Option("--no-default", help="Do not load the shipped knowledge base.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Global options apply to every command."""
    ctx.obj = Settings(kb_paths=list(kb or []), color=color or "auto", no_default=no_default)


def _read_stdin_terms() -> list[str]:
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError("'-' reads terms from stdin, one a line; pipe them in")
    raw = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    text = raw.decode("utf-8", errors="replace")
    return [line.strip() for line in text.splitlines() if line.strip()]


@app.command()
def define(
    ctx: typer.Context,
    terms: Annotated[
        list[str],
        typer.Argument(
            help="Id, English name or alias, Chinese, or pinyin (tones optional). '-' reads "
            "terms from stdin.",
            show_default=False,
            autocompletion=complete_terms,
        ),
    ],
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    kb: KbOpt = None,
    color: ColorOpt = None,
) -> None:
    """Show the full entry for each term: names, definition, links, sources."""
    from .describe import describe
    from .resolve import Resolver

    settings = _settings(ctx, kb, color)
    output = pick_format(fmt, as_json)
    queries: list[str] = []
    for term in terms:
        queries.extend(_read_stdin_terms() if term == "-" else [term])
    if not queries:
        raise UsageError("no terms given")
    knowledge = _load(settings)
    resolver = Resolver(knowledge)
    views = []
    failures: list[str] = []
    for query in queries:
        try:
            match = resolver.resolve(query)
        except NotFoundError as exc:
            failures.append(exc.message)
            continue
        views.append(describe(match.entry, knowledge, match.how))
    if views:
        _show(
            output,
            settings,
            lambda: [formats.view_json(v, knowledge) for v in views],
            {
                "plain": lambda: formats.plain_define(views, knowledge),
                "csv": lambda: formats.csv_define(views, knowledge),
                "markdown": lambda: formats.markdown_define(views, knowledge),
            },
            ("define_renderable", views),
        )
    if failures:
        for message in failures[:-1]:
            _say(f"nqpf: {message}")
        raise NotFoundError(failures[-1])


@app.command()
def compare(
    ctx: typer.Context,
    terms: Annotated[
        list[str],
        typer.Argument(
            help="Two or more terms to set side by side.",
            show_default=False,
            autocompletion=complete_terms,
        ),
    ],
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    kb: KbOpt = None,
    color: ColorOpt = None,
) -> None:
    """Compare entries side by side: core facts, then every comparison dimension."""
    from .compare import compare as build
    from .resolve import Resolver

    settings = _settings(ctx, kb, color)
    output = pick_format(fmt, as_json)
    if len(terms) < 2:
        raise UsageError("compare needs at least two terms, e.g. 'nqpf compare old new'")
    knowledge = _load(settings)
    resolver = Resolver(knowledge)
    entries = [resolver.resolve(term).entry for term in terms]
    comparison = build(entries, knowledge)

    _show(
        output,
        settings,
        lambda: formats.compare_json(comparison, knowledge),
        {
            "plain": lambda: formats.plain_compare(comparison),
            "csv": lambda: formats.csv_compare(comparison),
            "markdown": lambda: formats.markdown_compare(comparison),
        },
        ("compare_renderable", comparison),
    )


@app.command(name="list")
def list_entries(
    ctx: typer.Context,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", "-k", help="Only this kind (repeatable).", click_type=click.Choice(KINDS)
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", "-t", help="Only entries with this tag (repeatable)."),
    ] = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    kb: KbOpt = None,
    color: ColorOpt = None,
) -> None:
    """List entries: id, kind, name, Chinese, summary. Plain output is 'id<TAB>name'."""
    settings = _settings(ctx, kb, color)
    output = pick_format(fmt, as_json)
    knowledge = _load(settings)
    kinds = set(kind or [])
    tags = {t.casefold() for t in tag or []}
    entries = [
        e
        for e in knowledge.headings()
        if (not kinds or e.kind in kinds) and (not tags or tags & {t.casefold() for t in e.tags})
    ]
    if not entries:
        raise NotFoundError("no entries match those filters")

    _show(
        output,
        settings,
        lambda: formats.list_json(entries),
        {
            "plain": lambda: formats.plain_list(entries),
            "csv": lambda: formats.csv_list(entries),
            "markdown": lambda: formats.markdown_list(entries),
        },
        ("list_renderable", entries),
    )


@app.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files or folders to check, layered on the shipped base (default: the "
            "configured knowledge base).",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings also fail.")] = False,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    kb: KbOpt = None,
    color: ColorOpt = None,
) -> None:
    """Check a knowledge base; print findings as file:line:col: severity rule: message."""

    settings = _settings(ctx, [*(kb or []), *(paths or [])], color)
    output = pick_format(fmt, as_json)
    if output == "table":
        output = "plain" if not use_color(settings.color) else "table"
    knowledge = _load_raw(settings)
    findings = sorted(
        knowledge.findings,
        key=lambda f: (f.position.path, f.position.line, f.position.column, f.rule),
    )
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    infos = len(findings) - errors - warnings
    if findings or output == "json":
        _show(
            output,
            settings,
            lambda: formats.findings_json(findings),
            {
                "plain": lambda: formats.plain_findings(findings),
                "csv": lambda: formats.csv_findings(findings),
                "markdown": lambda: formats.markdown_findings(findings),
            },
            ("findings_renderable", findings),
        )
    files = len(knowledge.layers)
    overrides = f", {infos} override(s)" if infos else ""
    _say(
        f"nqpf: {errors} error(s), {warnings} warning(s){overrides} in {files} file(s), "
        f"{len(knowledge.entries)} entries"
    )
    if errors or (strict and warnings):
        raise typer.Exit(3)


def _one_entry(settings: Settings, term: str) -> tuple[KnowledgeBase, Any]:
    from .resolve import Resolver

    knowledge = _load(settings)
    return knowledge, Resolver(knowledge).resolve(term).entry


KindOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--kind", "-k", help="Only this kind (repeatable).", click_type=click.Choice(KINDS)
    ),
]


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help='Words, Chinese, or pinyin; "quoted phrases" stay whole.')
    ],
    kind: KindOpt = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="At most this many hits.")
    ] = 20,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    kb: KbOpt = None,
    color: ColorOpt = None,
) -> None:
    """Full-text search over names, aliases, summaries, definitions, comparisons and sources."""
    from . import formats_explore as fx
    from .search import search as run_search

    settings = _settings(ctx, kb, color)
    output = pick_format(fmt, as_json)
    hits = run_search(_load(settings), query, set(kind or []), limit)
    if not hits:
        raise NotFoundError(f"nothing matches '{one_line(query)}'")
    _show(
        output,
        settings,
        lambda: fx.search_json(hits),
        {
            "plain": lambda: fx.search_plain(hits),
            "csv": lambda: fx.search_csv(hits),
            "markdown": lambda: fx.search_markdown(hits),
        },
        ("search_renderable", hits),
    )


GRAPH_FORMATS = ("dot", "mermaid", "json")
GraphFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="table | plain | json | csv | markdown | dot | mermaid",
        click_type=click.Choice((*formats.FORMATS, "dot", "mermaid")),
        show_default=False,
    ),
]


@app.command()
def related(
    ctx: typer.Context,
    term: Annotated[
        str,
        typer.Argument(
            help="The entry to start from.", show_default=False, autocompletion=complete_terms
        ),
    ],
    depth: Annotated[
        int, typer.Option("--depth", "-d", min=1, max=6, help="How many links out.")
    ] = 1,
    fmt: GraphFormatOpt = None,
    as_json: JsonOpt = False,
    kb: KbOpt = None,
    color: ColorOpt = None,
) -> None:
    """Typed links out of and into an entry, as a tree (or DOT, Mermaid, JSON)."""
    from . import formats_explore as fx
    from . import graph

    settings = _settings(ctx, kb, color)
    output = "json" if as_json else (fmt or pick_format(None, False))
    knowledge, entry = _one_entry(settings, term)
    root = graph.related_tree(entry, knowledge, depth)
    if output in ("dot", "mermaid"):
        nodes, links = graph.tree_edges(root)
        text = (
            graph.to_dot(nodes, links, entry.id)
            if output == "dot"
            else graph.to_mermaid(nodes, links)
        )
        write(text)
        return
    _show(
        output,
        settings,
        lambda: graph.tree_json(root),
        {
            "plain": lambda: fx.related_plain(root),
            "csv": lambda: fx.related_csv(root),
            "markdown": lambda: fx.related_markdown(root),
        },
        ("related_renderable", root),
    )


@app.command(name="graph")
def graph_command(
    ctx: typer.Context,
    kind: KindOpt = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="dot | mermaid | json", click_type=click.Choice(GRAPH_FORMATS)
        ),
    ] = "dot",
    as_json: JsonOpt = False,
    kb: KbOpt = None,
) -> None:
    """The whole link graph, or the part between the kinds given, for Graphviz or Mermaid."""
    from . import graph

    settings = _settings(ctx, kb, None)
    knowledge = _load(settings)
    kinds = set(kind or [])
    links = graph.edges(knowledge, kinds or None)
    nodes = [e for e in knowledge.ordered() if not kinds or e.kind in kinds]
    if not nodes:
        raise NotFoundError("no entries of those kinds")
    if as_json or fmt == "json":
        write(graph.dumps(graph.to_json(nodes, links)), binary_utf8=True)
    elif fmt == "mermaid":
        write(graph.to_mermaid(nodes, links))
    else:
        write(graph.to_dot(nodes, links))


@app.command()
def timeline(
    ctx: typer.Context,
    start: Annotated[int | None, typer.Option("--from", help="From this year (inclusive).")] = None,
    end: Annotated[int | None, typer.Option("--to", help="Up to this year (inclusive).")] = None,
    kind: KindOpt = None,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    kb: KbOpt = None,
    color: ColorOpt = None,
) -> None:
    """Every dated entry in order; partial dates (2015, 2023-09) open their period."""
    from . import formats_explore as fx
    from .timeline import timeline as build

    settings = _settings(ctx, kb, color)
    output = pick_format(fmt, as_json)
    if start is not None and end is not None and start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    moments = build(_load(settings), start, end, set(kind or []))
    if not moments:
        raise NotFoundError("no dated entries in that range")
    _show(
        output,
        settings,
        lambda: fx.timeline_json(moments),
        {
            "plain": lambda: fx.timeline_plain(moments),
            "csv": lambda: fx.timeline_csv(moments),
            "markdown": lambda: fx.timeline_markdown(moments),
        },
        ("timeline_renderable", moments),
    )


@app.command()
def sectors(
    ctx: typer.Context,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    kb: KbOpt = None,
    color: ColorOpt = None,
) -> None:
    """Sectors (rows) against the initiatives and documents that name them (columns)."""
    from . import formats_explore as fx
    from .sectors import matrix as build

    settings = _settings(ctx, kb, color)
    output = pick_format(fmt, as_json)
    grid = build(_load(settings))
    if not grid.rows:
        raise NotFoundError("the knowledge base has no sector entries")
    _show(
        output,
        settings,
        lambda: fx.sectors_json(grid),
        {
            "plain": lambda: fx.sectors_plain(grid),
            "csv": lambda: fx.sectors_csv(grid),
            "markdown": lambda: fx.sectors_markdown(grid),
        },
        ("sectors_renderable", grid),
    )


@app.command()
def cite(
    ctx: typer.Context,
    terms: Annotated[
        list[str],
        typer.Argument(
            help="Entries whose sources to cite.",
            show_default=False,
            autocompletion=complete_terms,
        ),
    ],
    style: Annotated[
        str,
        typer.Option(
            "--style",
            "-s",
            help="apa | chicago | bibtex | csl-json",
            click_type=click.Choice(("apa", "chicago", "bibtex", "csl-json")),
        ),
    ] = "apa",
    kb: KbOpt = None,
) -> None:
    """An entry's sources as citations to paste (BibTeX and CSL-JSON for reference managers)."""
    from .cite import citations
    from .resolve import Resolver

    settings = _settings(ctx, kb, None)
    knowledge = _load(settings)
    resolver = Resolver(knowledge)
    entries = [resolver.resolve(term).entry for term in terms]
    if style == "csl-json":
        items = [item for entry in entries for item in citations(entry, style)]
        write(formats.dumps(items), binary_utf8=True)
        return
    chunks = []
    for entry in entries:
        text = citations(entry, style)
        assert isinstance(text, str)
        if style == "bibtex":
            chunks.append(text)
        else:
            chunks.append(f"{entry.name} ({entry.id})\n{text}")
    from .textsafe import neutralize

    write(neutralize("\n".join(chunks)))


# The same tuple as nqpf_cli.export.EXPORT_FORMATS, written out so start-up stays light.
EXPORT_FORMATS = ("markdown", "html", "skos", "jsonld", "json")


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="markdown | html (a static site) | skos (Turtle) | jsonld (SKOS as JSON-LD) "
            "| json",
            click_type=click.Choice(EXPORT_FORMATS),
            show_default=False,
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="File to write (default: stdout). For html, a folder (required): created, "
            "or replaced only if an earlier nqpf export made it.",
            metavar="PATH",
        ),
    ] = None,
    kind: KindOpt = None,
    base_iri: Annotated[
        str | None,
        typer.Option(
            "--base-iri",
            help="skos/jsonld: IRI that concept ids are appended to "
            "(default: https://nqpf.example/term/).",
            metavar="IRI",
        ),
    ] = None,
    kb: KbOpt = None,
) -> None:
    """Export the knowledge base to share: Markdown, a static HTML site, SKOS or JSON."""
    from pathlib import Path

    from . import export as ex
    from .output import OutputError

    settings = _settings(ctx, kb, None)
    if base_iri is not None and fmt not in ("skos", "jsonld"):
        raise UsageError("--base-iri only applies to --format skos or jsonld")
    if fmt == "html" and output in (None, "-"):
        raise UsageError("--format html writes a folder; give --output DIR")
    selection = ex.select(_load(settings), kind or [])
    if output not in (None, "-"):
        _refuse_knowledge_base_target(settings, output)
    count = len(selection.entries)
    what = f"{count} {'entry' if count == 1 else 'entries'}"
    try:
        if fmt == "html":
            from .export_html import build_site, write_site

            assert output is not None
            files = write_site(build_site(selection), Path(output))
            _say(f"nqpf: wrote {files} files ({what}) to {output}")
            return
        if fmt == "markdown":
            from .export_markdown import export_markdown

            text = export_markdown(selection)
        elif fmt in ("skos", "jsonld"):
            from . import export_skos

            base = base_iri if base_iri is not None else ex.DEFAULT_BASE_IRI
            build = export_skos.export_turtle if fmt == "skos" else export_skos.export_jsonld
            text = build(selection, base)
        else:
            text = formats.dumps(ex.json_document(selection))
        if output in (None, "-"):
            write(text, binary_utf8=True)
        else:
            ex.write_atomic(Path(output), text)
            _say(f"nqpf: wrote {what} to {output}")
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror or exc}") from None


def _refuse_knowledge_base_target(settings: Settings, output: str) -> None:
    """nqpf never writes to a knowledge-base file: not even when asked to export onto one."""
    from pathlib import Path

    from .layers import discover

    try:
        target = Path(output).resolve()
        layers = discover(settings.kb_paths, None, not settings.no_default)
        sources = [layer.path.resolve() for layer in layers]
    except (OSError, RuntimeError):
        return  # an unresolvable path cannot be one of the files just loaded
    if any(source == target or target in source.parents for source in sources):
        raise UsageError(f"--output {output} would overwrite the knowledge base being exported")


def _say(message: str) -> None:
    try:
        sys.stderr.write(visible(message) + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


@app.command()
def paths(
    ctx: typer.Context,
    fmt: FormatOpt = None,
    as_json: JsonOpt = False,
    kb: KbOpt = None,
) -> None:
    """The knowledge-base layers in effect, in load order, with their entry counts."""
    from .layers import user_dir

    settings = _settings(ctx, kb, None)
    output = pick_format(fmt, as_json)
    knowledge = _load_raw(settings)
    folder = user_dir()
    if output == "json":
        write(formats.dumps(formats.paths_json(knowledge, folder)), binary_utf8=True)
    elif output == "csv":
        write(formats.paths_csv(knowledge))
    elif output == "markdown":
        write(formats.paths_markdown(knowledge))
    else:  # a short list reads the same on a terminal
        write(formats.paths_plain(knowledge, folder))


@app.command()
def new(
    ctx: typer.Context,
    entry_id: Annotated[
        str, typer.Argument(metavar="ID", help="The new entry's id (a-z, 0-9, '-').")
    ],
    kind: Annotated[
        str, typer.Option("--kind", "-k", help="The entry's kind.", click_type=click.Choice(KINDS))
    ],
    name: Annotated[str | None, typer.Option("--name", help="English name.")] = None,
    name_zh: Annotated[str | None, typer.Option("--name-zh", help="Chinese name.")] = None,
) -> None:
    """Print a YAML skeleton for a new entry to paste under `entries:`; never writes a file."""
    from .skeleton import skeleton

    text = skeleton(entry_id, kind, name, name_zh)
    try:
        knowledge = _load(_settings(ctx, None, None))
    except NqpfError:
        knowledge = None  # a broken knowledge base must not stop someone drafting
    if knowledge is not None and entry_id in knowledge.entries:
        _say(
            f"nqpf: note: '{entry_id}' already exists at {knowledge.entries[entry_id].position}; "
            "add 'override: patch' (or 'replace') to change it from your layer"
        )
    write(text)


GLOBAL_FLAGS = ("--no-default",)


def hoist_global_flags(argv: list[str]) -> list[str]:
    """Let global flags be written after the command too (`nqpf define x --no-default`)."""
    if "--" in argv:
        cut = argv.index("--")
        head, tail = argv[:cut], argv[cut:]
    else:
        head, tail = argv, []
    flags = [arg for arg in head if arg in GLOBAL_FLAGS]
    return flags + [arg for arg in head if arg not in GLOBAL_FLAGS] + tail


ROOT_OPTIONS_WITH_VALUE = ("--kb", "--color")


def command_for(args: list[str]) -> click.Command:
    """The Click command to run. Typer builds a Click command by inspecting every
    function's signature, which costs more than the rest of a lookup, so when the
    subcommand is known only that one is built."""
    name = None
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in ROOT_OPTIONS_WITH_VALUE:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        name = arg
        break
    wanted = [info for info in app.registered_commands if _command_name(info) == name]
    if len(wanted) != 1 or os.environ.get("_NQPF_COMPLETE"):
        return typer.main.get_command(app)
    slim = typer.Typer(**APP_SETTINGS)
    slim.registered_callback = app.registered_callback
    slim.registered_commands = wanted
    return typer.main.get_command(slim)


def _command_name(info: Any) -> str:
    if info.name:
        return str(info.name)
    return str(info.callback.__name__).replace("_", "-")


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; the one place errors become messages."""
    return _run(hoist_global_flags(list(sys.argv[1:] if argv is None else argv)))


def _run(args: list[str], retry: bool = True) -> int:
    try:
        command = command_for(args)
        result = command.main(args=args, prog_name="nqpf", standalone_mode=False)
        code = result if isinstance(result, int) else EXIT_OK
    except NqpfError as exc:
        _say(f"nqpf: error: {exc.message}")
        return exc.exit_code
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.exceptions.ClickException as exc:
        exc.show()
        return EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        _say("nqpf: interrupted")
        return EXIT_INTERRUPTED
    except (BrokenPipeError, ReaderGone):
        # The reader stopped early (`nqpf list | head -1`): not an error of ours.
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:  # the last line of defence: never a traceback by default
        index = sys.modules.get(f"{__package__}.index")  # loaded only if an index was read
        if retry and index is not None and index.discard_if_damaged(exc):
            # Nothing has been written yet (output goes out once, at the end): answer
            # again from a fresh index, with the one warning promised.
            _say("nqpf: warning: the index was damaged; building it again")
            return _run(args, retry=False)
        if os.environ.get("NQPF_DEBUG"):
            raise
        _say(f"nqpf: internal error: {exc.__class__.__name__}: {exc} (NQPF_DEBUG=1 shows more)")
        return 70
    if code == EXIT_INTERRUPTED:  # Typer turns a Ctrl-C into Exit(130), which Click returns
        _say("nqpf: interrupted")
    return code
