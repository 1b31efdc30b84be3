"""The card view and its render on the server side, against the fixture the JS shares."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from board.js_strings import JS_STRINGS
from board.web import cards
from tests.fixtures import make_card_views

FIXTURE = json.loads(
    (Path(__file__).parent / "fixtures" / "card_views.json").read_text(encoding="utf-8")
)
CASES = FIXTURE["cases"]


@pytest.mark.parametrize("item", CASES, ids=[c["name"] for c in CASES])
def test_the_server_makes_the_shared_view_and_markup(item: dict) -> None:
    view = cards.card_view(item["post"], item["viewer"], FIXTURE["strings"], item["ui"])
    assert view == item["view"]
    assert cards.render(view) == item["html"]


def test_the_fixture_is_up_to_date_with_its_cases_and_the_catalogue() -> None:
    assert make_card_views.build() == FIXTURE
    assert FIXTURE["strings"] == {key: str(value) for key, value in JS_STRINGS.items()}


def test_every_label_a_card_shows_is_in_the_catalogue() -> None:
    assert set(cards.LABELS) <= set(JS_STRINGS)
    js = (Path(cards.__file__).parents[1] / "static" / "js" / "card_view.js").read_text()
    listed = re.search(r"export const LABELS = \(\n(.*?)\)\.split", js, re.S)
    assert listed, "card_view.js lists its LABELS"
    assert "".join(re.findall(r'"([^"]*)"', listed.group(1))).split() == cards.LABELS


def test_user_text_is_escaped_and_op_ids_follow_the_page_seed() -> None:
    html = CASES[0]["html"]
    assert "&lt;b&gt;community&lt;/b&gt; fridge &amp;" in html
    assert "<b>" not in html
    op_ids = re.findall(r'name="op_id" value="([^"]+)"', html)
    assert op_ids and all(re.fullmatch(r"0123456789ab-12-[a-z]+", op) for op in op_ids)
    assert len(set(op_ids)) == len(op_ids)  # one per form: a double tap sends one write


def test_the_cases_cover_every_state_and_block() -> None:
    html = "".join(c["html"] for c in CASES)
    for marker in (
        "is-pending", "is-silent", "is-rejected", "is-hidden", "is-pinned", "is-spotlit",
        "post-state-note", "card-proposal-under_review", "card-decision-accepted_with_conditions",
        "approval-box", "restore-form", "hide-form", "dot-form", "undot-form", "unlink-form",
        "help-form", "join-form is-naming", "leave-form", "group-closed", "report-form",
        "report-done", "comment is-pending", "is-sending", "is-new-since-visit", "helper-status",
        "post-status", "disabled", "is-open", "is-long", "dot-why", 'aria-expanded="true"',
    ):  # fmt: skip
        assert marker in html, marker


def test_a_card_shows_few_controls_before_its_view_and_names_the_post_in_each() -> None:
    for item in CASES:
        html = item["html"]
        light, _, more = html.partition('<div class="card-more"')
        assert more, item["name"]
        controls = re.findall(r"<(?:button|summary)\b|<a\b[^>]*href|<input\b(?![^>]*hidden)", light)
        assert len(controls) <= 5, (item["name"], controls)
        named = f'<span class="visually-hidden">: {html_title(item)}</span>'
        for control in re.findall(r"<(button|summary)\b[^>]*>(.*?)</\1>", html, re.S):
            assert named in control[1], (item["name"], control)
        # Text people wrote keeps its own direction.
        assert re.search(r'class="post-title" id="post-\d+-title" dir="auto"', html)


def html_title(item: dict) -> str:
    """The post's title as the card writes it (escaped as chevron does)."""
    return (
        item["post"]["title"]
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )
