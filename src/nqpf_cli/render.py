"""Rich renderables for terminal output. The only module that imports Rich.

Knowledge-base text only ever enters Rich as `Text` built from neutralised strings, so
markup (`[bold]`, `[link=…]`), emoji codes and escape sequences print literally.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from .compare import Comparison
from .describe import EntryView, Segment
from .formats import entry_facts, provenance, source_line
from .graph import TreeNode
from .models import Cell, Entry, Finding, Severity
from .search import Hit
from .sectors import Matrix
from .textsafe import neutralize, one_line, visible
from .timeline import Moment

_NO_CELL = Cell("")

KIND_STYLE = {
    "concept": "magenta",
    "initiative": "green",
    "document": "yellow",
    "sector": "cyan",
    "institution": "blue",
    "event": "red",
    "person": "bright_white",
}


def safe(text: str | None, style: str = "") -> Text:
    return Text(neutralize(text or ""), style=style)


def flat(text: str) -> str:
    """Neutralised, with line breaks and tabs as spaces, but edges kept (for fragments)."""
    return neutralize(text).replace("\n", " ").replace("\t", " ")


def line(text: str | None, style: str = "") -> Text:
    return Text(one_line(text or ""), style=style)


def definition_text(parts: Sequence[Segment]) -> Text:
    out = Text()
    for part in parts:
        if part.target is not None:
            out.append(one_line(part.text), style="bold cyan underline")
            out.append("↗", style="cyan")
        else:
            out.append(neutralize(part.text))
    return out


def _section(title: str) -> Text:
    return Text(title, style="bold")


def entry_panel(view: EntryView) -> Panel:
    e = view.entry
    parts: list[RenderableType] = []
    names = Text()
    names.append(one_line(e.name), style="bold")
    if e.name_zh:
        names.append("  ")
        names.append(one_line(e.name_zh), style="bold")
    if e.pinyin:
        names.append("  ")
        names.append(one_line(e.pinyin), style="italic")
    parts.append(names)
    facts = Text(e.kind, style=KIND_STYLE.get(e.kind, ""))
    for label, value in entry_facts(e):
        if label in ("date", "status"):
            facts.append(f"  {label}: ", style="dim")
            facts.append(one_line(value))
        elif label == "framing":
            facts.append(f"  {value}", style="yellow")
    facts.append(f"  id: {e.id}", style="dim")
    parts.append(facts)
    if e.aliases:
        parts.append(Text.assemble(("also: ", "dim"), one_line("; ".join(e.aliases))))
    parts += [Text(""), line(e.summary, "italic"), Text(""), definition_text(view.definition)]
    if e.notes:
        parts += [Text(""), Text.assemble(("Notes: ", "bold"), definition_text(view.notes))]
    if e.translations:
        parts += [Text(""), _section("English renderings")]
        rows = []
        for t in e.translations:
            row = Text(one_line(t.text), style="bold")
            if t.used_by:
                row.append(" — " + one_line(t.used_by))
            if t.sources:
                row.append(" " + "".join(f"[{n}]" for n in t.sources), style="dim")
            rows.append(("•", row))
        parts.append(_hanging(rows))
    if view.links:
        parts += [Text(""), _section("Links")]
        parts.append(_link_table((v.label, v.target) for v in view.links))
    if view.backlinks:
        parts += [Text(""), _section("Linked from")]
        parts.append(_link_table((v.label, v.target) for v in view.backlinks))
    if e.sources:
        parts += [Text(""), _section("Sources")]
        numbered = [(f"[{n}]", line(source_line(s))) for n, s in enumerate(e.sources, start=1)]
        parts.append(_hanging(numbered))
    parts += [Text(""), Text("from " + one_line(provenance(e)), style="dim")]
    title = Text(one_line(e.name), style="bold")
    return Panel(Group(*parts), title=title, title_align="left", box=box.ROUNDED, expand=True)


class Hanging:
    """Rows of `marker text`, the text wrapping under itself rather than under the marker.

    Does what a two-column Table.grid does, for a fraction of the cost: wrapping each row
    once instead of measuring every cell twice."""

    def __init__(self, rows: Iterable[tuple[Text, Text]]) -> None:
        self.rows = list(rows)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        gutter = max((cell_len(marker.plain) for marker, _ in self.rows), default=0)
        room = max(options.max_width - gutter - 1, 8)
        out = Text(no_wrap=True)
        pad = " " * gutter
        for marker, text in self.rows:
            for number, piece in enumerate(text.wrap(console, room, overflow="fold")):
                if number == 0:
                    out.append_text(marker)
                    out.append(" " * (gutter - cell_len(marker.plain)))
                else:
                    out.append(pad)
                out.append(" ")
                out.append_text(piece)
                out.append("\n")
        out.rstrip()
        yield out

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(20, options.max_width), options.max_width)


def _hanging(rows: Iterable[tuple[str, Text]]) -> Hanging:
    return Hanging((Text(f"  {marker}", style="dim"), text) for marker, text in rows)


def _link_table(rows: Iterable[tuple[str, Entry]]) -> Hanging:
    lines = []
    for label, target in rows:
        text = Text(one_line(target.name), style="bold cyan")
        if target.name_zh:
            text.append(" " + one_line(target.name_zh))
        text.append(" — " + one_line(target.summary), style="dim")
        lines.append((Text(f"  {label}", style="dim"), text))
    return Hanging(lines)


def define_renderable(views: Sequence[EntryView]) -> RenderableType:
    return Group(*(entry_panel(view) for view in views))


def compare_renderable(comparison: Comparison) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAVY, show_lines=True, expand=True)
    table.add_column("", style="bold", no_wrap=False, min_width=10, max_width=18)
    for e in comparison.entries:
        header = Text(one_line(e.name), style="bold")
        if e.name_zh:
            header.append("\n" + one_line(e.name_zh))
        table.add_column(header, ratio=1, min_width=12, overflow="fold")
    for row in comparison.rows:
        label = Text(one_line(row.label), style="bold")
        if row.label_zh:
            label.append("\n" + one_line(row.label_zh), style="dim")
        cells = []
        for cell in row.cells:
            if cell is None:
                cells.append(Text("—", style="dim"))
                continue
            text = safe(cell.text)
            if cell.framing == "analyst":
                text.append(" (analyst's reading)", style="yellow")
            if cell.sources:
                text.append(" " + "".join(f"[{n}]" for n in cell.sources), style="dim")
            cells.append(text)
        table.add_row(label, *cells)
    notes: list[RenderableType] = [table]
    for index, e in enumerate(comparison.entries):
        used = sorted(
            {n for row in comparison.rows for n in (row.cells[index] or _NO_CELL).sources}
        )
        if not used:
            continue
        notes.append(Text(f"Sources — {one_line(e.name)}", style="bold"))
        for n in used:
            if 0 < n <= len(e.sources):
                source = line(source_line(e.sources[n - 1]))
                notes.append(Text.assemble((f"  [{n}] ", "dim"), source))
    return Group(*notes)


def list_renderable(entries: Sequence[Entry]) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, expand=True)
    table.add_column("id", style="cyan", overflow="fold")
    table.add_column("kind", no_wrap=True)
    table.add_column("name", ratio=2, min_width=12, overflow="fold")
    table.add_column("中文", min_width=8, overflow="fold")
    table.add_column("summary", ratio=3, min_width=12, overflow="fold")
    for e in entries:
        table.add_row(
            line(e.id),
            Text(e.kind, style=KIND_STYLE.get(e.kind, "")),
            line(e.name),
            line(e.name_zh),
            line(e.summary, "dim"),
        )
    caption = Text(f"{len(entries)} entries", style="dim")
    return Group(table, caption)


def findings_renderable(findings: Sequence[Finding]) -> RenderableType:
    lines = []
    for f in findings:
        style = "red" if f.severity is Severity.ERROR else "yellow"
        lines.append(
            Text.assemble(
                (visible(str(f.position)), "bold"),
                ": ",
                (f.severity.value, style),
                f" {f.rule}: ",
                visible(f.message),
            )
        )
    return Group(*lines)


def to_text(renderable: RenderableType, width: int, color: bool) -> str:
    """Render once into a string; the CLI writes it to stdout in one place."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        markup=False,
        emoji=False,
        highlight=False,
        legacy_windows=False,
        soft_wrap=False,
    )
    console.print(renderable)
    return buffer.getvalue()


def search_renderable(hits: Sequence[Hit]) -> RenderableType:
    """grep-like: a heading line per hit, then the snippet with matches highlighted."""
    rows = []
    for rank, hit in enumerate(hits, start=1):
        body = Text(one_line(hit.entry.name), style="bold")
        if hit.entry.name_zh:
            body.append(" " + one_line(hit.entry.name_zh), style="bold")
        body.append(f"  {hit.entry.id}", style="cyan")
        body.append(f"  ({hit.entry.kind}; matched in {one_line(hit.snippet.field)})", style="dim")
        body.append("\n")
        text, last = hit.snippet.text, 0
        for start, end in hit.snippet.spans:
            body.append(flat(text[last:start]))
            body.append(flat(text[start:end]), style="bold reverse")
            last = end
        body.append(flat(text[last:]))
        rows.append((f"{rank}.", body))
    return _hanging(rows)


def related_renderable(root: TreeNode) -> RenderableType:
    def label(node: TreeNode) -> Text:
        text = Text()
        if node.direction != "root":
            arrow = "→ " if node.direction == "out" else "← "
            text.append(arrow + node.label + "  ", style="dim")
        text.append(one_line(node.entry.name), style="bold" if node.direction == "root" else "cyan")
        if node.entry.name_zh:
            text.append(" " + one_line(node.entry.name_zh))
        text.append(f"  {node.entry.kind}", style=KIND_STYLE.get(node.entry.kind, ""))
        if node.seen_before:
            text.append("  (shown above)", style="dim")
        return text

    tree = Tree(label(root))

    def grow(branch: Tree, node: TreeNode) -> None:
        for child in node.children:
            twig = branch.add(label(child))
            if not child.seen_before:
                grow(twig, child)

    grow(tree, root)
    return tree


def timeline_renderable(moments: Sequence[Moment]) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, expand=True)
    table.add_column("date", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("what", ratio=2, min_width=14, overflow="fold")
    table.add_column("summary", ratio=3, min_width=14, overflow="fold", style="dim")
    for moment in moments:
        name = Text(one_line(moment.entry.name), style="bold")
        if moment.entry.name_zh:
            name.append(" " + one_line(moment.entry.name_zh))
        date = moment.date if not moment.end_date else f"{moment.date}\n– {moment.end_date}"
        table.add_row(
            date,
            Text(moment.entry.kind, style=KIND_STYLE.get(moment.entry.kind, "")),
            name,
            line(moment.entry.summary),
        )
    return table


def sectors_renderable(matrix: Matrix) -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, expand=False)
    table.add_column("sector", overflow="fold", min_width=12, max_width=40)
    for number, _ in enumerate(matrix.columns, start=1):
        table.add_column(str(number), justify="center", no_wrap=True)
    for row in matrix.rows:
        name = Text(one_line(row.name))
        if row.name_zh:
            name.append(" " + one_line(row.name_zh), style="dim")
        marks = ["●" if matrix.has(row, column) else "·" for column in matrix.columns]
        table.add_row(name, *marks)
    legend = [
        Text.assemble((f"{number:>3}  ", "bold"), line(column.name), (f"  {column.id}", "dim"))
        for number, column in enumerate(matrix.columns, start=1)
    ]
    return Group(table, *legend)


class BuildProgress:
    """A progress bar on stderr for index builds, shown only once one has taken a second."""

    def __init__(self, delay: float = 1.0) -> None:
        import time

        self.clock = time.monotonic
        self.started = self.clock()
        self.delay = delay
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if self.clock() - self.started < self.delay or done >= total:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            console = Console(stderr=True, highlight=False, markup=False, emoji=False)
            self.bar = Progress(
                TextColumn("nqpf: indexing knowledge base"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("index", total=total)
        self.bar.update(self.task, completed=done, total=total)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
