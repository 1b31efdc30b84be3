"""The board page without JavaScript: its first screen, pages, search, and its size."""

from __future__ import annotations

import gzip
import re
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient

from board.config import FirstScreen
from board.services import moderation, posts
from tests.conftest import actor_of, join, new_board, op
from tests.test_pages import titles
from tests.test_queries import busy_board, signed_in

KB = 1024


@pytest.mark.parametrize("who", ["aisha", "lead"])
def test_the_board_page_at_1000_posts_is_under_100_kb_gzipped(app: Flask, who: str) -> None:
    with app.app_context():
        busy = busy_board(1000)
    browser = signed_in(app, busy, who)
    served = browser.get(f"/b/{busy.code}", headers={"Accept-Encoding": "gzip"})
    assert served.status_code == 200
    assert served.headers["Content-Encoding"] == "gzip"
    assert len(served.data) < 100 * KB, f"{len(served.data) / KB:.1f} KB"
    html = gzip.decompress(served.data).decode()
    assert re.search(r"Showing \d+ of \d+ posts", html)
    assert 'id="feed-older"' in html


def older_link(html: str) -> str | None:
    found = re.search(r'id="feed-older" class="button-link" href="([^"]+)"', html)
    return unescape(found.group(1)) if found else None


def read_every_page(browser: FlaskClient, url: str) -> tuple[list[str], list[str]]:
    """The titles on a page and on every page its "Show older posts" links lead to."""
    first = browser.get(url).get_data(as_text=True)
    shown, later = titles(first), []
    link = older_link(first)
    while link:
        html = browser.get(link).get_data(as_text=True)
        later += titles(html)
        link = older_link(html)
    return shown, later


@pytest.fixture
def small_screen(app: Flask) -> Flask:
    app.config["BOARD_FIRST_SCREEN"] = FirstScreen(
        pinned=1, mine=1, newest=3, supported=1, pending=1, reported=1
    )
    return app


def ravis_board(app: Flask) -> tuple[str, FlaskClient, FlaskClient, dict[str, int]]:
    """Nine posts by Ravi (ideas and tools, food and arts); Sam runs the board."""
    with app.app_context():
        entry = new_board(tags=["food", "arts"])
        ravi = join(entry.board_code, "Ravi")
        writer = actor_of(ravi)
        ids = {}
        for n in range(9):
            kind, tag = ("idea", "food") if n % 3 else ("tool", "arts")
            title = f"Post {n} mural" if n % 2 else f"Post {n}"
            ids[title] = posts.create_post(writer, op(), kind, title, "", tag)["post"]["id"]
        moderation.hide_post(actor_of(entry), op(), ids["Post 0"], "spam")
    sam = signed_in_as(app, entry.board_code, entry.token)
    phone = signed_in_as(app, entry.board_code, ravi.token)
    return entry.board_code, sam, phone, ids


def signed_in_as(app: Flask, code: str, token: str) -> FlaskClient:
    browser = app.test_client()
    assert browser.get(f"/b/{code}/enter/{token}").status_code == 302
    return browser


def test_show_older_posts_pages_through_the_board(small_screen: Flask) -> None:
    code, _sam, phone, _ids = ravis_board(small_screen)
    shown, later = read_every_page(phone, f"/b/{code}")
    # The first screen: the newest three and Ravi's own newest; then the older ones, once.
    assert shown == ["Post 8", "Post 7 mural", "Post 6"]
    assert later == ["Post 5 mural", "Post 4", "Post 3 mural", "Post 2", "Post 1 mural"]
    first = phone.get(f"/b/{code}").get_data(as_text=True)
    assert "Showing 3 of 8 posts" in first  # the hidden one is not Ravi's to see


def test_filters_and_search_are_kept_from_page_to_page(small_screen: Flask) -> None:
    code, _sam, phone, _ids = ravis_board(small_screen)
    page = phone.get(f"/b/{code}?kind=idea&q=MURAL").get_data(as_text=True)
    assert 'name="q" type="search" maxlength="100" value="MURAL"' in page
    assert titles(page) == ["Post 7 mural", "Post 5 mural", "Post 1 mural"]
    # A page is as long as the first screen's newest: three here.
    shown, later = read_every_page(phone, f"/b/{code}?kind=idea&q=post")
    assert shown == ["Post 8", "Post 7 mural", "Post 5 mural"]
    assert later == ["Post 4", "Post 2", "Post 1 mural"]
    link = older_link(phone.get(f"/b/{code}?tag=food&sort=supported").get_data(as_text=True))
    assert link and "tag=food" in link and "sort=supported" in link and "after=s0-" in link
    nothing = phone.get(f"/b/{code}?q=nobody+wrote+this").get_data(as_text=True)
    assert "No posts match these filters." in nothing


def test_pages_about_one_post_read_that_post(small_screen: Flask) -> None:
    code, sam, phone, ids = ravis_board(small_screen)
    oldest = ids["Post 1 mural"]  # not on the first screen
    assert f'id="post-{oldest}"' not in phone.get(f"/b/{code}").get_data(as_text=True)
    edit = phone.get(f"/b/{code}/posts/{oldest}/edit")
    assert edit.status_code == 200 and "Post 1 mural" in edit.get_data(as_text=True)
    assert sam.get(f"/b/{code}/posts/{oldest}/edit").status_code == 403
    assert phone.get(f"/b/{code}/posts/{ids['Post 0']}/edit").status_code == 404  # hidden
    console = sam.get(f"/b/{code}/facilitate").get_data(as_text=True)
    assert f'id="hidden-{ids["Post 0"]}"' in console
    assert f'#post-{ids["Post 0"]}">Post 0</a>' in console  # the log names the post
