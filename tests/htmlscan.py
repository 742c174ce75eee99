"""A small reader of generated pages for tests: tags with attributes, ids, headings and text."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


@dataclass
class Scan:
    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    headings: list[int] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    lang: str | None = None

    def attrs(self, name: str, tag: str | None = None) -> list[str]:
        return [a[name] for t, a in self.tags if name in a and (tag is None or t == tag)]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scan = Scan()
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.scan.tags.append((tag, a))
        if "id" in a:
            assert a["id"] not in self.scan.ids, f"duplicate id {a['id']}"
            self.scan.ids.add(a["id"])
        if tag == "html":
            self.scan.lang = a.get("lang")
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.scan.headings.append(int(tag[1]))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.scan.text.append(data)


def scan(path: Path) -> Scan:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader.scan


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))
