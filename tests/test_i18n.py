"""User-facing strings are wrapped for translation and the English catalogue is current."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from board.js_strings import JS_STRINGS

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "board" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHODS = [("board/**.py", "python"), ("board/templates/**.html", "jinja2")]
WORD = r"[^\s·|:,.()\u2013\u2014&;#]"  # runs of these, split at punctuation and spacing
BRAND = "Common Ground"  # a name, the same in every language
ATTRIBUTES = re.compile(r'\b(placeholder|alt|aria-label|title)="([^"]*)"')


def extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_catalogue_has_exactly_the_strings_in_the_code() -> None:
    with (CATALOGUE / "messages.po").open("rb") as po:
        catalogue = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(po) if m.id}
    missing, stale = extracted() - catalogue, catalogue - extracted()
    assert not missing and not stale, (
        f"run ./dev translations (missing: {sorted(missing)}, stale: {sorted(stale)})"
    )


def test_compiled_catalogue_matches_the_po_file() -> None:
    """The .mo holds what compiling the .po gives now. Compared as messages, not bytes:
    Babel versions lay the file out differently."""

    def messages(mo: Any) -> dict[Any, Any]:
        def plain(text: Any) -> Any:
            return text if isinstance(text, str) else tuple(text)

        return {plain(m.id): plain(m.string) for m in read_mo(mo) if m.id}

    with (CATALOGUE / "messages.po").open("rb") as po:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(po))
    compiled.seek(0)
    with (CATALOGUE / "messages.mo").open("rb") as mo:
        assert messages(mo) == messages(compiled), "run ./dev translations"


def test_templates_have_no_untranslated_text() -> None:
    problems = []
    for template in sorted((ROOT / "board" / "templates").glob("*.html")):
        source = template.read_text()
        source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
        for name, value in ATTRIBUTES.findall(source):
            if re.search(r"[A-Za-z]", re.sub(r"\{\{.*?\}\}", "", value)):
                problems.append(f"{template.name}: {name}={value!r}")
        text = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", "", source, flags=re.S)
        text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
        text = re.sub(r"<[^>]*>", " ", text).replace(BRAND, " ")
        for words in re.findall(rf"{WORD}+(?:\s+{WORD}+)*", text):
            if re.search(r"[A-Za-z]{2,}", words) and not words.startswith("&"):
                problems.append(f"{template.name}: {words!r}")
    assert not problems, "wrap these in {{ _(...) }}:\n" + "\n".join(problems)


def test_every_string_the_javascript_asks_for_exists() -> None:
    asked = set()
    for module in (ROOT / "board" / "static" / "js").glob("*.js"):
        asked |= set(re.findall(r"\bt\(\s*[\"']([a-z0-9_]+)[\"']", module.read_text()))
    assert asked, "no module uses t(): are JS strings translated?"
    assert asked <= set(JS_STRINGS), sorted(asked - set(JS_STRINGS))
