"""Rich renderables for terminal output: the only module that imports Rich.

`define` on a terminal is the command people run most, so its panel is laid out here from
Rich's Text, Segment and Style, and styled with Style.render, without a Console: Rich's
Panel, Padding and Text wrapping measure and re-split every line several times, and
importing Rich's Console costs more than everything else a lookup does. Consoles, tables
and trees, which the other commands need, are imported inside the functions using them.

Knowledge-base text only ever enters Rich as `Text` built from neutralised strings, so
markup (`[bold]`, `[link=…]`), emoji codes and escape sequences print literally.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from .formats import entry_facts, provenance, source_line
from .models import Brief, Cell, Finding, Heading, Severity
from .textsafe import neutralize, one_line, visible

if TYPE_CHECKING:  # only named in annotations: `define` need not import the other queries
    from rich.console import RenderableType

    from .compare import Comparison
    from .describe import EntryView
    from .describe import Segment as Part
    from .graph import TreeNode
    from .search import Hit
    from .sectors import Matrix
    from .timeline import Moment

KIND_STYLE = {
    "concept": "magenta",
    "initiative": "green",
    "document": "yellow",
    "sector": "cyan",
    "institution": "blue",
    "event": "red",
    "person": "bright_white",
}

Line = tuple[list[Segment], int]  # a laid-out line and its width in cells
_WORD = re.compile(r"\S+\s*|\s+")


def safe(text: str | None, style: str = "") -> Text:
    return Text(neutralize(text or ""), style=style)


def flat(text: str) -> str:
    """Neutralised, with line breaks and tabs as spaces, but edges kept (for fragments)."""
    return neutralize(text).replace("\n", " ").replace("\t", " ")


def line(text: str | None, style: str = "") -> Text:
    return Text(one_line(text or ""), style=style)


def definition_text(parts: Sequence[Part]) -> Text:
    out = Text()
    for part in parts:
        if part.target is not None:
            out.append(one_line(part.text), style="bold cyan underline")
            out.append("↗", style="cyan")
        else:
            out.append(neutralize(part.text))
    return out


def _cells(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def _breaks(text: str, width: int) -> list[int]:
    """Offsets where a greedy word wrap at `width` cells starts a new line; a word longer
    than a line is folded."""
    breaks: list[int] = []
    if _cells(text) <= width:
        return breaks
    used = 0
    for match in _WORD.finditer(text):
        word = match.group()
        bare_word = word.rstrip()
        bare = _cells(bare_word)
        if used and used + bare > width:
            breaks.append(match.start())
            used = 0
        if bare <= width:
            used += bare + _cells(word[len(bare_word) :])
            continue
        for offset, char in enumerate(word, start=match.start()):  # fold a long word
            size = _cells(char)
            if used and used + size > width and not char.isspace():
                breaks.append(offset)
                used = 0
            used += size
    return breaks


def _style(style: str | Style) -> Style:
    return style if isinstance(style, Style) else Style.parse(style)


def _render(text: Text) -> list[Segment]:
    """Text as styled segments: what Text.render does with a Console, for the style names
    nqpf uses (plain Rich style strings, no theme names), so no Console is needed."""
    plain = text.plain
    base = _style(text.style) if text.style else None
    if not text.spans:
        return [Segment(plain, base)]
    cuts = sorted({0, len(plain), *(s.start for s in text.spans), *(s.end for s in text.spans)})
    out = []
    for start, end in itertools.pairwise(cuts):
        if start >= end:
            continue
        styles = [_style(s.style) for s in text.spans if s.start <= start and s.end >= end]
        if base:
            styles.insert(0, base)
        style = Style.combine(styles) if styles else None
        out.append(Segment(plain[start:end], style or None))
    return out


def _finish(line: list[Segment]) -> Line:
    while line and not line[-1].text.rstrip():  # trailing spaces: not part of the line
        line.pop()
    if line and line[-1].text != line[-1].text.rstrip():
        last = line[-1]
        line[-1] = Segment(last.text.rstrip(), last.style)
    return line, sum(_cells(segment.text) for segment in line)


def wrap(text: Text, width: int) -> list[Line]:
    """Text as lines of at most `width` cells, styles kept, trailing spaces dropped.

    The text is rendered to styled segments once and the segments are cut where the
    lines break, rather than cutting the Text into one new Text per line."""
    lines: list[Line] = []
    paragraphs = text.split("\n", allow_blank=True) if "\n" in text.plain else [text]
    for paragraph in paragraphs:
        cuts = iter([*_breaks(paragraph.plain, width), len(paragraph.plain) + 1])
        cut = next(cuts)
        line: list[Segment] = []
        position = 0  # characters of the paragraph laid out so far
        for segment in _render(paragraph):
            rest, style = segment.text, segment.style
            while position + len(rest) >= cut:
                head, rest = rest[: cut - position], rest[cut - position :]
                if head:
                    line.append(Segment(head, style))
                position = cut
                lines.append(_finish(line))
                line, cut = [], next(cuts)
            if rest:
                line.append(Segment(rest, style))
                position += len(rest)
        lines.append(_finish(line))  # the rest of the paragraph (or a blank line)
    return lines


class Block:
    """Something that lays itself out as lines of a given width (`to_text` prints it)."""

    def lines(self, width: int) -> list[Line]:
        raise NotImplementedError


class Paragraph(Block):
    def __init__(self, text: Text) -> None:
        self.text = text

    def lines(self, width: int) -> list[Line]:
        return wrap(self.text, width)


class Hanging(Block):
    """Rows of `marker text`, the text wrapping under itself rather than under the marker."""

    def __init__(self, rows: Iterable[tuple[Text, Text]]) -> None:
        self.rows = list(rows)

    def lines(self, width: int) -> list[Line]:
        gutter = max((_cells(marker.plain) for marker, _ in self.rows), default=0)
        room = width - gutter - 1
        out: list[Line] = []
        if room < 12:  # too narrow to hang: each text goes under its marker instead
            for marker, text in self.rows:
                out += wrap(marker, width)
                indent = Segment("    ")
                out += [([indent, *segs], size + 4) for segs, size in wrap(text, width - 4)]
            return out
        for marker, text in self.rows:
            head = _render(marker)
            head.append(Segment(" " * (gutter - _cells(marker.plain) + 1)))
            for number, (segments, size) in enumerate(wrap(text, room)):
                lead = head if number == 0 else [Segment(" " * (gutter + 1))]
                out.append(([*lead, *segments], gutter + 1 + size))
        return out


class Frame(Block):
    """A rounded box with a title, like Rich's Panel, drawn from laid-out lines."""

    def __init__(self, title: Text, blocks: Sequence[Block]) -> None:
        self.title = title
        self.blocks = blocks

    def lines(self, width: int) -> list[Line]:
        inner = max(width - 4, 1)
        title = Text(f" {self.title.plain} ", style=self.title.style)
        title.truncate(max(width - 4, 0))
        top = [Segment("╭─"), *_render(title)]
        top.append(Segment("─" * (width - 3 - _cells(title.plain)) + "╮"))
        out: list[Line] = [(top, width)]
        left, right = Segment("│ "), "│"
        for block in self.blocks:
            for segments, size in block.lines(inner):
                pad = Segment(" " * max(inner - size, 0) + " " + right)
                out.append(([left, *segments, pad], width))
        out.append(([Segment("╰" + "─" * (width - 2) + "╯")], width))
        return out


_BLANK = Paragraph(Text(""))


def _section(title: str) -> Paragraph:
    return Paragraph(Text(title, style="bold"))


def entry_panel(view: EntryView) -> Frame:
    e = view.entry
    parts: list[Block] = []
    names = Text()
    names.append(one_line(e.name), style="bold")
    if e.name_zh:
        names.append("  ")
        names.append(one_line(e.name_zh), style="bold")
    if e.pinyin:
        names.append("  ")
        names.append(one_line(e.pinyin), style="italic")
    parts.append(Paragraph(names))
    facts = Text(e.kind, style=KIND_STYLE.get(e.kind, ""))
    for label, value in entry_facts(e):
        if label in ("date", "status"):
            facts.append(f"  {label}: ", style="dim")
            facts.append(one_line(value))
        elif label == "framing":
            facts.append(f"  {value}", style="yellow")
    facts.append(f"  id: {e.id}", style="dim")
    parts.append(Paragraph(facts))
    if e.aliases:
        parts.append(Paragraph(Text.assemble(("also: ", "dim"), one_line("; ".join(e.aliases)))))
    parts += [_BLANK, Paragraph(line(e.summary, "italic")), _BLANK]
    parts.append(Paragraph(definition_text(view.definition)))
    if e.notes:
        notes = Text.assemble(("Notes: ", "bold"), definition_text(view.notes))
        parts += [_BLANK, Paragraph(notes)]
    if e.translations:
        parts += [_BLANK, _section("English renderings")]
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
        parts += [_BLANK, _section("Links"), link_list((v.label, v.target) for v in view.links)]
    if view.backlinks:
        backlinks = link_list((v.label, v.target) for v in view.backlinks)
        parts += [_BLANK, _section("Linked from"), backlinks]
    if e.sources:
        parts += [_BLANK, _section("Sources")]
        numbered = [(f"[{n}]", line(source_line(s))) for n, s in enumerate(e.sources, start=1)]
        parts.append(_hanging(numbered))
    parts += [_BLANK, Paragraph(Text("from " + one_line(provenance(e)), style="dim"))]
    return Frame(Text(one_line(e.name), style="bold"), parts)


def _hanging(rows: Iterable[tuple[str, Text]]) -> Hanging:
    return Hanging((Text(f"  {marker}", style="dim"), text) for marker, text in rows)


def link_list(rows: Iterable[tuple[str, Brief]]) -> Hanging:
    lines = []
    for label, target in rows:
        text = Text(one_line(target.name), style="bold cyan")
        if target.name_zh:
            text.append(" " + one_line(target.name_zh))
        text.append(" — " + one_line(target.summary), style="dim")
        lines.append((label, text))
    return _hanging(lines)


class Stack(Block):
    """Blocks one under another."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self.blocks = blocks

    def lines(self, width: int) -> list[Line]:
        return [line for block in self.blocks for line in block.lines(width)]


def define_renderable(views: Sequence[EntryView]) -> Block:
    return Stack([entry_panel(view) for view in views])


def to_text(renderable: RenderableType | Block, width: int, color: bool) -> str:
    """Render once into a string; the CLI writes it to stdout in one place."""
    if isinstance(renderable, Block):
        # Laid-out lines are already cut to the width: styled as Console.print would.
        system = ColorSystem.STANDARD if color else None
        out = []
        for segments, _ in renderable.lines(width):
            for text, style, _ in segments:
                out.append(style.render(text, color_system=system) if style else text)
            out.append("\n")
        return "".join(out)
    from rich.console import Console

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


_NO_CELL = Cell("")


def compare_renderable(comparison: Comparison) -> RenderableType:
    from rich import box
    from rich.console import Group
    from rich.table import Table

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


def list_renderable(entries: Sequence[Heading]) -> RenderableType:
    from rich import box
    from rich.console import Group
    from rich.table import Table

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
    from rich.console import Group

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


def search_renderable(hits: Sequence[Hit]) -> Block:
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
    from rich.tree import Tree

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

    def grow(branch: Any, node: TreeNode) -> None:
        for child in node.children:
            twig = branch.add(label(child))
            if not child.seen_before:
                grow(twig, child)

    grow(tree, root)
    return tree


def timeline_renderable(moments: Sequence[Moment]) -> RenderableType:
    from rich import box
    from rich.table import Table

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
    from rich import box
    from rich.console import Group
    from rich.table import Table

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
            from rich.console import Console
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
