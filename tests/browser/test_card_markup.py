"""A post card is one markup: the server's render of the page and a card drawn live agree."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    PHONE,
    PROJECTOR,
    Contexts,
    join_by_page,
    new_board,
    post_via_api,
    real_errors,
    wait_live,
)
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser

LIVE_MS = 5_000
TITLE = "Tool library in the old bank"

#: The card's outerHTML in a page as the browser serialises it, whitespace squeezed.
OUTER_HTML = """(title) => {
  const card = [...document.querySelectorAll('#feed article.post[data-post-id]')]
    .find((el) => el.querySelector('.post-title').textContent === title);
  return card ? card.outerHTML.replace(/\\s+/g, ' ') : null;
}"""
#: The same card in the page the server sent (as delivered, before any script ran).
SERVED_HTML = """([html, title]) => {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const card = [...doc.querySelectorAll('#feed article.post[data-post-id]')]
    .find((el) => el.querySelector('.post-title').textContent === title);
  return card ? card.outerHTML.replace(/\\s+/g, ' ') : null;
}"""


def live_card(page: Page, title: str) -> str:
    """The card once it has arrived and settled (its arrival motion is not markup)."""
    card = page.locator(
        "#feed article.post[data-post-id]:not(.is-arriving)",
        has=page.locator(".post-title", has_text=title),
    )
    expect(card).to_have_count(1, timeout=LIVE_MS)
    html = page.evaluate(OUTER_HTML, title)
    assert html
    return str(html)


def served_card(page: Page, code: str, title: str) -> str:
    """The card as the server renders it for this page's person, read with the same parser."""
    answer = page.context.request.get(f"/b/{code}")
    assert answer.ok
    html = page.evaluate(SERVED_HTML, [answer.text(), title])
    assert html, "the server's page has the card"
    return str(html)


@pytest.mark.parametrize("who", ["resident", "facilitator"])
def test_a_card_drawn_live_is_the_card_the_server_renders(
    contexts: Contexts, server: Server, who: str
) -> None:
    board = new_board(server, tags=["tools"])
    code = board["board"]["code"]
    idea_id = post_via_api(server, code, "Kemi", "Repair café on Saturdays")
    if who == "facilitator":
        watcher = contexts.new(PROJECTOR)
        watcher.goto(board["enter_url"].removeprefix(server.url))
    else:
        watcher = contexts.new(PHONE)
        join_by_page(watcher, code, "Tomasz")
    wait_live(watcher)

    # Someone else posts it from their phone, over the socket, while the page is open.
    poster = contexts.new(PHONE)
    join_by_page(poster, code, "Aisha")
    wait_live(poster)
    poster.locator("#composer input[name=kind][value=need]").check()
    poster.fill("#post-title", TITLE)
    poster.fill("#post-body", "Drills, ladders & a <b>sewing</b> machine")
    poster.fill("#post-availability", "Weekday evenings")
    poster.select_option("#post-tag", "tools")
    poster.click("#composer button[type=submit]")

    live = live_card(watcher, TITLE)
    served = served_card(watcher, code, TITLE)
    assert live == served
    assert "sewing" in live and "<b>" not in live  # user text stays text
    assert re.search(r'name="op_id" value="w\d{7}-\d+-support"', live)

    # The card the page loaded with, once the script has taken it over, is the same too;
    # and so is an older card the server rendered, compared with the page's own.
    watcher.reload()
    wait_live(watcher)
    assert live_card(watcher, TITLE) == served
    older = live_card(watcher, "Repair café on Saturdays")
    assert older == served_card(watcher, code, "Repair café on Saturdays")
    assert f'id="post-{idea_id}"' in older
    assert real_errors(contexts) == []
