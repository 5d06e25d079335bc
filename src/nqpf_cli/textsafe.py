"""Making untrusted knowledge-base text inert for human-readable output.

Control characters (ESC, C1, BEL …) and format characters (bidi overrides, zero-width
spaces) become visible `\\uXXXX` escapes, so a definition cannot move the cursor, set the
window title, write the clipboard, create hyperlinks or reorder text. JSON output does
not use this: it carries the data exactly.
"""

from __future__ import annotations

import unicodedata

_KEEP = {"\n", "\t"}
# Joiners inside emoji sequences and soft hyphens are harmless and common in real text.
_ALLOWED_FORMAT = {"\u200d", "\u00ad"}


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def neutralize(text: str, keep_newlines: bool = True) -> str:
    # Fast path: printable text (no control, format or separator characters) is left as it is.
    printable = text.isprintable() or text.replace("\n", "").replace("\t", "").isprintable()
    if printable and (keep_newlines or "\n" not in text):
        return text
    out: list[str] = []
    for ch in text:
        if ch in _KEEP and (keep_newlines or ch == "\t"):
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if (
            category == "Cc"
            or (category == "Cf" and ch not in _ALLOWED_FORMAT)
            or category in ("Zl", "Zp", "Cs")  # Cs: a lone surrogate from undecodable argv bytes
        ):
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


def one_line(text: str) -> str:
    """Neutralised and folded onto one line (for tables, TSV and error messages).

    Line breaks and tabs are ordinary whitespace here; carriage returns and other
    controls stay visible escapes.
    """
    return " ".join(neutralize(text).split())


def visible(text: str) -> str:
    """For messages: one line, with every control character — newlines too — shown as an
    escape, so `date '2024\\u000a'` reveals the stray line break a plain space would hide."""
    return " ".join(neutralize(text, keep_newlines=False).split(" "))
