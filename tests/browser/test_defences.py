"""The browser defences in Debian's Chromium, attacked from another origin: a page served
by a second server on another loopback address tries to frame the board and to switch a
signed-in visitor's identity; the board's own pages still work under the strict CSP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    PROJECTOR,
    Contexts,
    join_by_page,
    new_board,
    post_via_api,
    wait_live,
)
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser

#: Another site: a different host (127.0.0.2 is loopback, but another origin and site).
EVIL_HOST = "127.0.0.2"
#: Collects every CSP violation a page reports, before any of its own scripts run.
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


class Evil:
    """A tiny HTTP server on another origin, answering the pages a test gives it."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path, "not here").encode()
                self.send_response(200 if self.path in pages else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((EVIL_HOST, 0), Handler)
        self.url = f"http://{EVIL_HOST}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def page(self, path: str, html: str) -> str:
        self.pages[path] = f"<!doctype html><html><body>{html}</body></html>"
        return self.url + path


@pytest.fixture(scope="module")
def evil() -> Iterator[Evil]:
    site = Evil()
    yield site
    site.httpd.shutdown()
    site.httpd.server_close()


def me_on(page: Page, server: Server, code: str) -> str | None:
    """Who the board page says this browser is."""
    page.goto(f"{server.url}/b/{code}")
    page.wait_for_selector("#board")
    me = page.evaluate("JSON.parse(document.getElementById('board-snapshot').textContent).me")
    return me.get("name")


def joined_token(server: Server, code: str, name: str) -> str:
    answer = requests.post(
        f"{server.url}/api/v1/boards/{code}/participants", json={"display_name": name}, timeout=5
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


def test_another_site_cannot_frame_the_join_page(
    contexts: Contexts, server: Server, evil: Evil
) -> None:
    code = new_board(server)["board"]["code"]
    page = contexts.new()
    join_url = f"{server.url}/b/{code}/join"
    page.goto(evil.page("/frame", f'<iframe id="board" src="{join_url}" width="360"></iframe>'))
    page.wait_for_load_state("load")
    framed = next(f for f in page.frames if f is not page.main_frame)
    # The blocked frame is Chromium's error page: nothing of the join form reached it.
    assert framed.locator("#display_name").count() == 0
    assert not framed.url.startswith(server.url), framed.url
    # The same page opened directly is the join form (the check above can tell them apart).
    direct = contexts.new()
    direct.goto(join_url)
    assert direct.locator("#display_name").count() == 1


def test_another_site_cannot_switch_a_signed_in_visitor(
    contexts: Contexts, server: Server, evil: Evil
) -> None:
    code = new_board(server)["board"]["code"]
    enter_dev = f"{server.url}/b/{code}/enter/{joined_token(server, code, 'Dev')}"
    page = contexts.new()
    join_by_page(page, code, "Aisha")
    assert me_on(page, server, code) == "Aisha"

    # A hidden iframe loads Dev's link in the background.
    page.goto(evil.page("/iframe", f'<iframe hidden src="{enter_dev}"></iframe>'))
    page.wait_for_load_state("load")
    assert me_on(page, server, code) == "Aisha"

    # A form on the other site posts to the link itself, as the confirm button would.
    page.goto(
        evil.page(
            "/post",
            f'<form id="f" method="post" action="{enter_dev}">'
            '<input name="csrf_token" value="forged"></form>'
            "<script>document.getElementById('f').submit()</script>",
        )
    )
    page.wait_for_url(f"{enter_dev}*")
    assert me_on(page, server, code) == "Aisha"

    # A plain link to it, clicked: the board asks instead of switching.
    page.goto(evil.page("/link", f'<a id="prize" href="{enter_dev}">You have won</a>'))
    page.click("#prize")
    expect(page.locator("#enter-question")).to_have_text(
        "You are signed in as Aisha on this board. Continue as Dev instead?"
    )
    assert me_on(page, server, code) == "Aisha"

    # Only the visitor's own yes, on the board's page, switches.
    page.goto(enter_dev)
    page.click("#enter-switch button[type=submit]")
    page.wait_for_selector("#board")
    assert me_on(page, server, code) == "Dev"


def csp_violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__csp"))


def test_the_pages_work_under_the_policy(contexts: Contexts, server: Server) -> None:
    """No CSP violation on the pages people use, the socket connects and posts go live."""
    board = new_board(server)
    code = board["board"]["code"]
    phone = contexts.new()
    phone.context.add_init_script(CSP_WATCH)
    phone.goto("/")
    assert csp_violations(phone) == []
    join_by_page(phone, code, "Aisha")
    wait_live(phone)
    phone.fill("#post-title", "Repair café in the empty shop")
    phone.click("#composer button[type=submit]")
    titles = phone.locator("#feed article.post[data-post-id] .post-title")
    expect(titles).to_contain_text(["Repair café in the empty shop"])
    post_via_api(server, code, "Dev", "Benches on the high street")
    expect(titles).to_contain_text(["Benches on the high street"])
    assert csp_violations(phone) == []

    facilitator = contexts.new(PROJECTOR)
    facilitator.context.add_init_script(CSP_WATCH)
    facilitator.goto(board["enter_url"].removeprefix(server.url))
    wait_live(facilitator)
    assert csp_violations(facilitator) == []
    for path in (f"/b/{code}/facilitate", f"/b/{code}/projector", f"/b/{code}/results"):
        facilitator.goto(path)
        facilitator.wait_for_load_state("networkidle")
        assert csp_violations(facilitator) == [], path
    csp_errors = [e for e in contexts.errors if "Content Security Policy" in e]
    assert not csp_errors, csp_errors
