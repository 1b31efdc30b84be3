"""Light cards on a phone: short cards with few tab stops, a card view opened on demand,
names that say which post a control is for, and a composer button that covers nothing."""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    PHONE,
    BoardApi,
    Contexts,
    join_by_page,
    open_card,
    wait_live,
)
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser

LIVE_MS = 5_000
#: Repeated controls on a card, by what they do: each one's name must carry the title.
REPEATED = (
    "button.support, button.dot-place, button.dot-take-back, a.post-open, a.card-close, "
    "a.edit-link, button.delete, button.hide, button.restore, button.approve, "
    ".reject-box summary, button.can-help, button.help-send, button.im-in, button.leave, "
    "button.unlink, .suggestions summary, .comment-form button, .report-box summary, "
    "button.report-send, a.card-proposal-link"
)
#: Per card in the feed: its height and how many of its controls Tab reaches.
CARD_SIZES = """() => [...document.querySelectorAll('#feed article.post[data-post-id]')]
    .map((card) => ({
        height: card.getBoundingClientRect().height,
        stops: [...card.querySelectorAll('a[href], button, input, select, textarea, summary')]
            .filter((el) => !el.disabled && el.tabIndex >= 0 && el.getClientRects().length
                && getComputedStyle(el).visibility !== 'hidden').length,
    }))"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real server with the app's demo board (board/demo.py)."""
    folder = tmp_path_factory.mktemp("light-cards")
    running = Server(folder, "gevent", BOARD_DEMO="1").start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def demo(server: Server) -> dict[str, str]:
    """The demo board's code and facilitator token, as the server wrote them down."""
    marker = server.folder / "instance" / "demo-board.json"
    return json.loads(marker.read_text())


def lead(server: Server, demo: dict[str, str], method: str, path: str, **body: Any) -> Any:
    """The demo board's facilitator, over the API."""
    return BoardApi(server, demo["code"], demo["facilitator_token"])(method, path, **body)


def phone_on(contexts: Contexts, code: str, name: str) -> Page:
    page = contexts.new(PHONE)
    join_by_page(page, code, name)
    wait_live(page)
    return page


def names_without_title(page: Page, scope: str) -> list[str]:
    """Repeated controls in `scope` whose accessible name leaves out their post's title."""
    missing = []
    for card in page.locator(scope).all():
        title = card.locator(".post-title").inner_text()
        for control in card.locator(REPEATED).all():
            if not control.is_visible():
                continue
            try:
                expect(control).to_have_accessible_name(re.compile(re.escape(title)), timeout=500)
            except AssertionError:
                missing.append(f"{control.evaluate('el => el.outerHTML')[:120]} on {title!r}")
    return missing


def axe_clean(page: Page) -> None:
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()


def test_cards_on_the_demo_board_are_short_with_few_tab_stops(
    contexts: Contexts, server: Server, demo: dict[str, str]
) -> None:
    phone = phone_on(contexts, demo["code"], "Hannah")
    sizes = phone.evaluate(CARD_SIZES)
    assert len(sizes) >= 10
    heights = [s["height"] for s in sizes]
    assert statistics.median(heights) <= 200, heights
    assert max(s["stops"] for s in sizes) <= 6, sizes
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert contexts.errors == []


def test_every_repeated_control_names_its_post(
    contexts: Contexts, server: Server, demo: dict[str, str]
) -> None:
    phone = phone_on(contexts, demo["code"], "Priya")
    assert names_without_title(phone, "#feed article.post[data-post-id]") == []
    # The roles read out carry the title too (a support button, an "Open" link).
    first = phone.locator("#feed article.post[data-post-id]").first
    title = first.locator(".post-title").inner_text()
    named = re.escape(title)
    expect(phone.get_by_role("button", name=re.compile(rf"^Support\W+{named}"))).to_have_count(1)
    expect(
        phone.get_by_role("link", name=re.compile(rf"^(Open|Read more)\W+{named}"))
    ).to_have_count(1)
    post_id = int(first.get_attribute("data-post-id") or 0)
    view = open_card(phone, post_id)
    assert names_without_title(phone, f"#post-{post_id}") == []
    expect(view.get_by_role("button", name=re.compile(rf"^Send\W+{named}"))).to_have_count(1)
    assert contexts.errors == []


def test_the_card_view_opens_by_keyboard_is_linkable_and_gives_the_focus_back(
    contexts: Contexts, server: Server, demo: dict[str, str]
) -> None:
    phone = phone_on(contexts, demo["code"], "Sam")
    card = phone.locator("#feed article.post[data-post-id]").nth(2)
    post_id = int(card.get_attribute("data-post-id") or 0)
    view = phone.locator(f"#post-{post_id}-more")
    expect(view).to_be_hidden()
    opener = card.locator("a.post-open")
    opener.focus()
    phone.keyboard.press("Enter")
    expect(view).to_be_visible()
    expect(view).to_be_focused()
    expect(opener).to_have_attribute("aria-expanded", "true")
    assert phone.evaluate("location.hash") == f"#post-{post_id}"
    expect(view.locator(".comment-form input[name=body]")).to_be_visible()
    # Escape from inside the view closes it and puts the focus back on the card.
    view.locator(".comment-form input[name=body]").focus()
    phone.keyboard.press("Escape")
    expect(view).to_be_hidden()
    expect(opener).to_be_focused()
    assert phone.evaluate("location.hash") == ""

    # The address opens it again on reload; the close button closes it.
    phone.goto(f"/b/{demo['code']}#post-{post_id}")
    wait_live(phone)
    expect(view).to_be_visible()
    expect(view).to_be_focused()
    axe_clean(phone)
    view.locator("a.card-close").click()
    expect(view).to_be_hidden()
    expect(opener).to_be_focused()

    # Without JavaScript the address opens the same view, and its forms post.
    plain = contexts.new(PHONE, java_script_enabled=False)
    join_by_page(plain, demo["code"], "Rowan")
    plain_view = plain.locator(f"#post-{post_id}-more")
    expect(plain_view).to_be_hidden()
    plain.locator(f"#post-{post_id} a.post-open").click()
    expect(plain_view).to_be_visible()
    plain_view.locator(".comment-form input[name=body]").fill("Count me in, from a plain phone")
    plain_view.locator(".comment-form button[type=submit]").click()
    expect(plain.locator(f"#post-{post_id}-more")).to_be_visible()
    expect(plain.locator(f"#post-{post_id} .comment-list")).to_contain_text(
        "Count me in, from a plain phone"
    )
    assert contexts.errors == []


def test_the_composer_button_covers_no_card_and_goes_while_posting_is_closed(
    contexts: Contexts, server: Server, demo: dict[str, str]
) -> None:
    phone = phone_on(contexts, demo["code"], "Kofi")
    jump = phone.locator("a.to-composer")
    expect(jump).to_be_visible()
    cards = phone.locator("#feed article.post[data-post-id]")
    for scroll in (0, 1500, 100_000):
        phone.evaluate(f"window.scrollTo(0, {scroll})")
        box = jump.bounding_box()
        if box is None:
            continue
        for card_box in [c.bounding_box() for c in cards.all()]:
            assert card_box is not None
            overlaps = (
                box["x"] < card_box["x"] + card_box["width"]
                and card_box["x"] < box["x"] + box["width"]
                and box["y"] < card_box["y"] + card_box["height"]
                and card_box["y"] < box["y"] + box["height"]
            )
            assert not overlaps, (box, card_box)
    try:
        lead(server, demo, "PATCH", "session", phase="closed")
        expect(jump).to_be_hidden(timeout=LIVE_MS)
        phone.reload()
        expect(phone.locator("#session-phase")).to_have_text("Closed: thank you")
        expect(jump).to_be_hidden()
        axe_clean(phone)
        lead(server, demo, "PATCH", "session", phase="gather")
        expect(jump).to_be_visible(timeout=LIVE_MS)
    finally:
        lead(server, demo, "PATCH", "session", phase="gather")
    assert contexts.errors == []


def test_place_a_dot_is_disabled_with_the_reason_once_no_dots_are_left(
    contexts: Contexts, server: Server, demo: dict[str, str]
) -> None:
    phone = phone_on(contexts, demo["code"], "Mei")
    try:
        lead(server, demo, "PATCH", "session", phase="prioritise", dot_budget=1)
        expect(phone.locator("#session-dots")).to_have_text(
            "You have 1 of 1 dot left", timeout=LIVE_MS
        )
        sizes = phone.evaluate(CARD_SIZES)
        assert max(s["stops"] for s in sizes) <= 6, sizes
        ideas = phone.locator("#feed article.post-idea[data-post-id]")
        first, second = ideas.nth(0), ideas.nth(1)
        first.locator("button.dot-place").click()
        expect(phone.locator("#session-dots")).to_have_text(
            "You have 0 of 1 dot left", timeout=LIVE_MS
        )
        place = second.locator("button.dot-place")
        expect(place).to_be_disabled()
        expect(second.locator(".dot-why")).to_have_text(
            "No dots left to place: take one back to move it."
        )
        expect(place).to_have_accessible_description(
            "No dots left to place: take one back to move it."
        )
        axe_clean(phone)
        # Taking the dot back makes one free to place again.
        first.locator("button.dot-take-back").click()
        expect(place).to_be_enabled(timeout=LIVE_MS)
        expect(second.locator(".dot-why")).to_have_count(0)
        # After a reload the server draws the same.
        first.locator("button.dot-place").click()
        expect(phone.locator("#session-dots")).to_have_text(
            "You have 0 of 1 dot left", timeout=LIVE_MS
        )
        phone.reload()
        expect(
            phone.locator("#feed article.post-idea[data-post-id]")
            .nth(1)
            .locator("button.dot-place")
        ).to_be_disabled()
        first = phone.locator("#feed article.post-idea[data-post-id]").nth(0)
        first.locator("button.dot-take-back").click()
    finally:
        lead(server, demo, "PATCH", "session", phase="gather")
    assert contexts.errors == []


@pytest.mark.parametrize("phase", ["gather", "discuss", "prioritise", "closed"])
def test_axe_finds_nothing_on_any_screen_in_each_phase_nor_in_the_card_view(
    contexts: Contexts, server: Server, demo: dict[str, str], phase: str
) -> None:
    try:
        lead(server, demo, "PATCH", "session", phase=phase)
        phone = phone_on(contexts, demo["code"], f"Axe {phase}")
        axe_clean(phone)
        post_id = int(
            phone.locator("#feed article.post[data-post-id]").first.get_attribute("data-post-id")
            or 0
        )
        open_card(phone, post_id)
        axe_clean(phone)
        # A facilitator's view holds the moderation controls.
        staff = contexts.new(PHONE)
        staff.goto(f"/b/{demo['code']}/enter/{demo['facilitator_token']}")
        wait_live(staff)
        open_card(staff, post_id)
        axe_clean(staff)
        assert names_without_title(staff, f"#post-{post_id}") == []
        # The console on a laptop and the projector (by its view-only link too) in the phase.
        laptop = contexts.new({"width": 1366, "height": 768})
        laptop.goto(f"/b/{demo['code']}/enter/{demo['facilitator_token']}")
        made = requests.post(
            f"{server.url}/api/v1/boards/{demo['code']}/projector-link",
            json={},
            headers={"Authorization": f"Bearer {demo['facilitator_token']}"},
            timeout=5,
        )
        assert made.status_code == 201, made.text
        link = made.json()["projector_url"]
        for where in ("facilitate", "projector", link):
            laptop.goto(where if where.startswith("http") else f"/b/{demo['code']}/{where}")
            wait_live(laptop)
            axe_clean(laptop)
    finally:
        lead(server, demo, "PATCH", "session", phase="gather")
    assert contexts.errors == []
