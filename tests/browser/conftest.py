"""Debian's Chromium, driven by Playwright, against the real server on a free port."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.e2e.conftest import ROOT, Server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 780}
PROJECTOR = {"width": 1280, "height": 720}
#: Visible controls smaller than 44 px (touch targets), as "html WxH" lines.
SMALL_TARGETS = """() => [...document.querySelectorAll(
        'button, input:not([type=hidden]), select, textarea, a[href], summary')]
    .filter((el) => el.offsetParent !== null && !el.classList.contains('skip-link'))
    .filter((el) => el.type !== 'radio' && el.type !== 'checkbox')
    .map((el) => [el.outerHTML.slice(0, 80), el.getBoundingClientRect()])
    .filter(([, box]) => box.height < 44 && box.width > 0)
    .map(([html, box]) => `${html} ${Math.round(box.width)}x${Math.round(box.height)}`)"""
#: Screenshots a person can look at after the run (CI keeps the clone's folder).
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: ./dev test installs Debian's chromium")
        pytest.skip("Debian's Chromium is not installed (./dev test installs it)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real server under the default async mode (gevent)."""
    running = Server(tmp_path_factory.mktemp("browser-server"), "gevent").start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


class Contexts:
    """Browser contexts (a phone, a laptop, a projector) opened by one test."""

    def __init__(self, browser: Browser, server: Server) -> None:
        self.browser = browser
        self.server = server
        self.opened: list[BrowserContext] = []
        self.errors: list[str] = []

    def new(self, viewport: dict[str, int] = PHONE, **options: Any) -> Page:
        context = self.browser.new_context(viewport=viewport, base_url=self.server.url, **options)
        context.set_default_timeout(10_000)
        self.opened.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        return page

    def close(self) -> None:
        for context in self.opened:
            context.close()


@pytest.fixture
def contexts(browser: Browser, server: Server) -> Iterator[Contexts]:
    opened = Contexts(browser, server)
    yield opened
    opened.close()


def new_board(server: Server, **fields: Any) -> dict[str, Any]:
    """Create a board over the API; returns the answer (board, facilitator token, enter_url)."""
    body = {"title": "Westcliff 2030", "prompt": "What would make our streets better?"}
    made = requests.post(f"{server.url}/api/v1/boards", json={**body, **fields}, timeout=5)
    assert made.status_code == 201, made.text
    return made.json()


def post_via_api(server: Server, code: str, name: str, title: str, **fields: Any) -> int:
    """A participant who joined over the API posts something; returns the post id."""
    joined = requests.post(
        f"{server.url}/api/v1/boards/{code}/participants", json={"display_name": name}, timeout=5
    ).json()
    made = requests.post(
        f"{server.url}/api/v1/boards/{code}/posts",
        json={"op_id": os.urandom(8).hex(), "kind": "idea", "title": title, **fields},
        headers={"Authorization": f"Bearer {joined['token']}"},
        timeout=5,
    )
    assert made.status_code == 201, made.text
    return made.json()["post"]["id"]


def join_by_page(page: Page, code: str, name: str) -> None:
    """Join through the join page, as a resident with a phone does."""
    page.goto(f"/b/{code}/join")
    page.fill("#display_name", name)
    page.click("button[type=submit]")
    page.wait_for_selector("#board")


def post_titles(page: Page) -> list[str]:
    """Titles of the confirmed posts on a page's feed, top to bottom."""
    return page.locator("#feed article.post[data-post-id] .post-title").all_inner_texts()


def wait_live(page: Page) -> None:
    """Until the page's socket has subscribed (the connection banner says online)."""
    page.wait_for_selector("#connection[data-state=online]", state="attached")


def real_errors(contexts: Contexts) -> list[str]:
    """Script errors, leaving out the browser's note on each refused page (403, 404)."""
    return [e for e in contexts.errors if not e.startswith("Failed to load resource")]


class BoardApi:
    """One person's calls to a board's API with their token: each with a fresh op_id, the
    answer's JSON back, and anything but a success fails the test."""

    def __init__(self, server: Server, code: str, token: str) -> None:
        self.base = f"{server.url}/api/v1/boards/{code}"
        self.headers = {"Authorization": f"Bearer {token}"}

    def __call__(self, method: str, path: str, **body: Any) -> dict[str, Any]:
        done = requests.request(
            method,
            f"{self.base}/{path}",
            json={"op_id": os.urandom(8).hex(), **body},
            headers=self.headers,
            timeout=5,
        )
        assert done.ok, done.text
        return done.json()


def send_proposal(person: Callable[..., dict[str, Any]], proposal_id: int) -> None:
    """A group's draft proposal filled in, its contact given and sent to the council, by
    one of its members' API calls (a BoardApi)."""
    person(
        "PATCH",
        f"proposals/{proposal_id}",
        short_summary="A monthly repair café",
        asks=["officer_time"],
        route="ward_panel",
        what_we_want="Fix things together once a month",
        options="Do nothing, or run it monthly",
    )
    person(
        "POST",
        f"proposals/{proposal_id}/contact",
        name="Aisha",
        email="aisha@example.org",
        consent=True,
    )
    person("POST", f"proposals/{proposal_id}/submit")


def open_card(page: Page, post: int | Locator) -> Locator:
    """Open a card's view (comments, helpers, the group, moderation...), the card given by
    its post id or its locator; returns the card."""
    card = page.locator(f"#post-{post}") if isinstance(post, int) else post
    view = card.locator(".card-more")
    if not view.is_visible():
        card.locator("a.post-open").click()
    expect(view).to_be_visible()
    return card
