"""Issue 3's promises, in Debian's Chromium: phones, the projector, offline, keyboard, axe."""

from __future__ import annotations

import io
import time
from urllib.parse import urlsplit

import pytest
import requests
import segno
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    PHONE,
    PROJECTOR,
    Contexts,
    join_by_page,
    new_board,
    open_card,
    post_titles,
    post_via_api,
    wait_live,
)
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser


def open_projector(contexts: Contexts, board: dict) -> Page:
    projector = contexts.new(PROJECTOR)
    projector.goto(board["enter_url"].removeprefix(contexts.server.url))
    projector.goto(f"/b/{board['board']['code']}/projector")
    projector.wait_for_selector("#projector")
    return projector


def compose(page: Page, title: str, body: str = "") -> None:
    page.fill("#post-title", title)
    if body:
        page.fill("#post-body", body)
    page.click("#composer button[type=submit]")


def test_a_post_reaches_the_other_phone_and_the_projector_within_a_second(
    contexts: Contexts, server: Server
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    aisha, dev = contexts.new(PHONE), contexts.new(PHONE)
    join_by_page(aisha, code, "Aisha")
    join_by_page(dev, code, "Dev")
    projector = open_projector(contexts, board)
    for page in (aisha, dev, projector):
        wait_live(page)

    title = "Repair café in the empty shop"
    started = time.monotonic()
    compose(aisha, title)
    for page in (dev, projector):
        left_ms = max(1, int((1.0 - (time.monotonic() - started)) * 1000))
        expect(page.locator("#feed article.post[data-post-id] .post-title")).to_contain_text(
            [title], timeout=left_ms
        )
    assert time.monotonic() - started <= 1.0
    assert post_titles(aisha).count(title) == 1
    assert not contexts.errors, contexts.errors


def test_an_idea_posted_offline_appears_exactly_once_everywhere(
    contexts: Contexts, server: Server
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    phone, other = contexts.new(PHONE), contexts.new(PHONE)
    join_by_page(phone, code, "Patchy Wi-Fi")
    join_by_page(other, code, "Steady")
    projector = open_projector(contexts, board)
    for page in (phone, other, projector):
        wait_live(page)

    phone.context.set_offline(True)
    expect(phone.locator("#connection")).to_contain_text("Connection lost")
    title = "Warm space on weekday afternoons"
    compose(phone, title)
    pending = phone.locator("#feed article.post.is-pending")
    expect(pending).to_have_count(1)
    expect(pending.locator(".post-status")).to_contain_text("Sending")
    time.sleep(1.5)  # nothing leaves the phone while it is offline
    assert title not in post_titles(other)

    phone.context.set_offline(False)
    expect(phone.locator("#connection")).to_contain_text("Back online")
    for page in (phone, other, projector):
        expect(page.locator("#feed article.post[data-post-id] .post-title")).to_contain_text(
            [title]
        )
    time.sleep(1)  # any duplicate would have arrived by now
    for page in (phone, other, projector):
        assert post_titles(page).count(title) == 1, page.url
    expect(phone.locator("#feed article.post.is-pending")).to_have_count(0)
    # A reload draws from the server: still exactly one.
    phone.reload()
    assert post_titles(phone).count(title) == 1


def test_join_by_the_qr_url_name_and_post_with_the_keyboard_only(
    contexts: Contexts, server: Server
) -> None:
    board = new_board(server, tags=["high street", "older people"])
    code = board["board"]["code"]
    facilitator = contexts.new(PROJECTOR)
    facilitator.goto(board["enter_url"].removeprefix(server.url))
    join_url = facilitator.locator(".join-url").first.inner_text().strip()
    assert join_url == f"{server.url}/b/{code}/join"
    # The QR code on the page encodes exactly that address.
    qr_src = facilitator.locator("img.qr").first.get_attribute("src")
    served = requests.get(server.url + qr_src, timeout=5)
    expected = io.BytesIO()
    segno.make(join_url, error="m").save(
        expected, kind="svg", scale=10, border=2, xmldecl=False, title="Join the board"
    )
    assert served.content == expected.getvalue()

    phone = contexts.new(PHONE)
    phone.goto(join_url)
    keyboard = phone.keyboard
    keyboard.press("Tab")  # skip link
    for _ in range(20):
        if phone.evaluate("document.activeElement && document.activeElement.id") == "display_name":
            break
        keyboard.press("Tab")
    else:
        raise AssertionError("the name field cannot be reached with Tab")
    keyboard.type("Marjorie")
    keyboard.press("Enter")
    phone.wait_for_selector("#board")
    wait_live(phone)

    for _ in range(40):
        if phone.evaluate("document.activeElement && document.activeElement.id") == "post-title":
            break
        keyboard.press("Tab")
    else:
        raise AssertionError("the composer cannot be reached with Tab")
    keyboard.type("Sewing and alterations at the repair café")
    keyboard.press("Enter")
    expect(phone.locator("#feed article.post[data-post-id] .post-title")).to_contain_text(
        ["Sewing and alterations at the repair café"]
    )
    author = phone.locator("#feed article.post[data-post-id] .post-author").first
    expect(author).to_contain_text("Marjorie")


def test_axe_finds_nothing_on_join_board_and_projector(
    contexts: Contexts, server: Server, screenshots
) -> None:
    board = new_board(server, tags=["food", "arts"])
    code = board["board"]["code"]
    for n, (kind, title) in enumerate(
        [
            ("idea", "Incredible Edible beds outside the station"),
            ("skill", "Bookkeeping for community groups"),
            ("tool", "PA system and two microphones"),
            ("need", "Somewhere warm to sit that isn't a café"),
        ]
    ):
        post_via_api(server, code, f"Neighbour {n}", title, kind=kind, tag="food")
    axe = Axe()

    phone = contexts.new(PHONE)
    phone.goto(f"/b/{code}/join")
    phone.screenshot(path=screenshots / "join-360.png", full_page=True)
    assert axe.run(phone).violations_count == 0, axe.run(phone).generate_report()

    join_by_page(phone, code, "Hannah")
    wait_live(phone)
    open_card(phone, phone.locator("#feed article.post[data-post-id]").first)
    phone.locator(".comment-form input[name=body]").first.fill("Count me in")
    phone.locator(".comment-form button[type=submit]").first.click()
    expect(phone.locator(".comment").first).to_contain_text("Count me in")
    phone.screenshot(path=screenshots / "board-360.png", full_page=True)
    result = axe.run(phone)
    assert result.violations_count == 0, result.generate_report()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    projector = open_projector(contexts, board)
    wait_live(projector)
    projector.screenshot(path=screenshots / "projector-1280.png")
    result = axe.run(projector)
    assert result.violations_count == 0, result.generate_report()
    for name in ("join-360.png", "board-360.png", "projector-1280.png"):
        assert (screenshots / name).stat().st_size > 10_000


def test_first_load_of_the_board_is_at_most_100_kb_compressed(
    contexts: Contexts, server: Server
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    for n in range(6):
        post_via_api(server, code, f"Neighbour {n}", f"A realistic idea number {n}")
    phone = contexts.new(PHONE)
    # Join through the API in this context so its cookie is set, then load the page cold.
    joined = phone.context.request.post(
        f"/api/v1/boards/{code}/participants", data={"display_name": "Counted"}
    )
    assert joined.ok
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    transferred: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: transferred.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    encodings: dict[str, str] = {}
    phone.on(
        "response",
        lambda r: encodings.__setitem__(r.url, r.headers.get("content-encoding", "")),
    )
    phone.goto(f"/b/{code}")
    wait_live(phone)
    phone.wait_for_load_state("networkidle")

    page_bytes = {
        urls[rid]: size
        for rid, size in transferred.items()
        if rid in urls and not urlsplit(urls[rid]).path.startswith("/socket.io/")
    }
    total = sum(page_bytes.values())
    assert total <= 100 * 1024, sorted(page_bytes.items(), key=lambda kv: -kv[1])
    static = [url for url in page_bytes if "/static/" in url and url.endswith((".js", ".css"))]
    assert any("socket.io" in url for url in static), "the Socket.IO client was not loaded"
    for url in static:
        assert encodings.get(url) == "gzip", f"{url} was not served compressed"


def test_touch_targets_and_new_since_last_visit(contexts: Contexts, server: Server) -> None:
    board = new_board(server, tags=["food"])
    code = board["board"]["code"]
    post_via_api(server, code, "Early bird", "Seen on the first visit")
    phone = contexts.new(PHONE)
    join_by_page(phone, code, "Returning resident")
    wait_live(phone)
    small = phone.evaluate(
        """() => [...document.querySelectorAll(
                'button, input:not([type=hidden]), select, textarea, a[href]')]
            .filter((el) => el.offsetParent !== null && !el.classList.contains('skip-link'))
            .map((el) => [el.outerHTML.slice(0, 80), el.getBoundingClientRect()])
            .filter(([, box]) => box.height < 44 && !(box.width === 0))
            .map(([html, box]) => `${html} ${Math.round(box.width)}x${Math.round(box.height)}`)"""
    )
    # Radio buttons and checkboxes are tapped through their (44 px) labels.
    small = [s for s in small if 'type="radio"' not in s and 'type="checkbox"' not in s]
    assert small == [], small

    context = phone.context
    phone.close()  # the resident goes home; the board carries on
    post_via_api(server, code, "Night owl", "Posted while you were away")
    phone = context.new_page()
    phone.goto(f"/b/{code}")
    wait_live(phone)
    fresh = phone.locator("#feed article.post.is-new-since-visit .post-title")
    expect(fresh).to_have_text(["Posted while you were away"])
