"""What the strict Content-Security-Policy forbids, found by parsing the HTML.

A regular expression over the page text can miss an attribute (or, worse, never
look at one); the standard library's parser sees every tag and attribute as a
browser would.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _InlineCodeFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, _value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            elif name == "style":
                self.found.append(f"<{tag} style=…>")
            elif name in {"href", "src", "action"} and (_value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script":
            self._in_script = True
            if not dict(attrs).get("src"):
                self.found.append("<script> without src")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append("<script> with inline code")


def inline_code(html: str) -> list[str]:
    """Every inline script, event handler or style in ``html`` (empty when the page is clean)."""
    finder = _InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.found
