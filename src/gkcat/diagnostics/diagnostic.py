"""One diagnostic: what went wrong and where; "did you mean" hints; control characters made visible."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from gkcat.diagnostics.codes import CODES, Severity


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, at a place in a file (project-relative, `/` separators)."""

    file: str
    line: int
    column: int
    code: str
    message: str
    path: str = ""
    severity: Severity = field(default=Severity.ERROR, compare=False)

    @classmethod
    def make(cls, file: str, pos: tuple[int, int], code: str, message: str, path: str = "") -> Diagnostic:
        """Build a diagnostic whose severity comes from the code table."""
        return cls(file, pos[0], pos[1], code, message, path, CODES[code].severity)

    def json(self) -> list[object]:
        """As the project cache keeps it (check/overlays.py reads it back)."""
        return [self.file, self.line, self.column, self.code, self.message, self.path, self.severity.value]


def sort_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by file, line, column and code, without duplicates."""
    return sorted(set(diags))


def has_errors(diags: Iterable[Diagnostic], strict: bool = False) -> bool:
    return any(d.severity is Severity.ERROR or strict for d in diags)


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice nearest to `word`, for a "did you mean" hint, or None when none is close."""
    options = [c for c in choices if c != word]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.5)
    if found:
        return found[0]
    # Short Chinese words differ by one character more often than the ratio allows.
    for c in options:
        if word and (word in c or c in word):
            return c
    return None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    hint = closest(word, choices)
    return f"，是否为“{hint}”？" if hint else ""


def quote_list(values: Sequence[str], limit: int = 8) -> str:
    shown = "、".join(f"“{v}”" for v in values[:limit])
    return shown + (f" 等 {len(values)} 项" if len(values) > limit else "")


# -- formatting ---------------------------------------------------------------------------------

# C0 and C1 controls, DEL and the non-characters U+FFFE/U+FFFF: never printable, never valid in
# XML 1.0, and in a terminal or a CI log they can clear the screen or start a forged line.
# Bidirectional overrides and isolates (U+202A-202E, U+2066-2069) count as controls: they make a file
# name or a value read backwards in a terminal, a CI log or a page ("Trojan Source").
_BIDI = "\u202a-\u202e\u2066-\u2069"
CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}\ufffe\uffff]")
_SHOWN = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\ufffe\uffff]")


def visible(text: str) -> str:
    """`text` with every control character (newlines and tabs too) written as an escape: one safe line."""
    names = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return _SHOWN.sub(lambda m: names.get(m.group(), f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                                          else f"\\u{ord(m.group()):04x}"), text)
