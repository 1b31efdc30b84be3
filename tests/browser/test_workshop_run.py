"""A whole workshop in Debian's Chromium: a facilitator's console, two phones and the
projector run gather → prioritise → closed, with pre-moderation (one post rejected), a
timer, a spotlight and dots; at every step every screen agrees."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import Contexts, new_board, real_errors
from tests.browser.test_console import (
    LIVE_MS,
    axe_clean,
    card,
    compose,
    joined_phone,
    open_console,
    open_projector,
    remaining_seconds,
)
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser

CAFE = "Repair café in the empty shop"
BENCHES = "Benches along the high street"
OFF_TOPIC = "Selling my car, cheap"
PUBLIC = "#feed article.post[data-post-id]:not(.is-pending):not(.is-rejected):not(.is-silent)"


def public_titles(page: Page) -> list[str]:
    """What this screen shows everyone: confirmed, open posts (visible or not right now)."""
    return sorted(
        page.locator(f"{PUBLIC} .post-title").evaluate_all(
            "els => els.map((el) => el.textContent.trim())"
        )
    )


def agree(lead: Page, phones: list[Page], projector: Page, phase: str, titles: list[str]) -> None:
    """Every screen shows the same phase and the same public posts."""
    expect(lead.locator(f"button.phase-button[data-phase={phase}]")).to_have_attribute(
        "aria-pressed", "true", timeout=LIVE_MS
    )
    for phone in phones:
        expect(phone.locator("#session")).to_have_attribute("data-phase", phase, timeout=LIVE_MS)
    expect(projector.locator("#phase")).to_have_attribute("data-phase", phase, timeout=LIVE_MS)
    deadline = time.monotonic() + LIVE_MS / 1000
    while True:
        seen = [public_titles(p) for p in [*phones, projector]]
        if all(s == sorted(titles) for s in seen) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert seen == [sorted(titles)] * len(seen), seen


def test_a_workshop_from_gather_to_closed(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server, title="Hamlet Road workshop")
    code = board["board"]["code"]
    lead = open_console(contexts, board)
    projector = open_projector(contexts, board)
    aisha = joined_phone(contexts, code, "Aisha")
    dev = joined_phone(contexts, code, "Dev")
    phones = [aisha, dev]
    agree(lead, phones, projector, "gather", [])

    # Gather, with pre-moderation: posts wait in the facilitator's queue.
    lead.click("#toggle-premoderation")
    expect(lead.locator(".setting[data-setting=premoderation]")).to_have_attribute(
        "data-on", "true", timeout=LIVE_MS
    )
    compose(aisha, CAFE)
    expect(aisha.locator(".post-state[data-state=pending]")).to_be_visible(timeout=LIVE_MS)
    compose(dev, OFF_TOPIC)
    compose(aisha, BENCHES)
    queue = lead.locator("#queue-list li.queue-item")
    expect(queue).to_have_count(3, timeout=LIVE_MS)
    # Nobody else sees queued posts: not the other phone, not the projector.
    agree(lead, phones, projector, "gather", [])
    for title in (CAFE, BENCHES):
        lead.locator("#queue-list li.queue-item", has_text=title).locator("button.approve").click()
    rejected = lead.locator("#queue-list li.queue-item", has_text=OFF_TOPIC)
    rejected.locator("button.reject").click()
    form = rejected.locator("form.reject-form")
    form.locator("select[name=reason]").select_option("off-topic")
    form.locator("input[name=note]").fill("Try the market board")
    form.locator("button.reject-send").click()
    expect(queue).to_have_count(0, timeout=LIVE_MS)
    agree(lead, phones, projector, "gather", [CAFE, BENCHES])
    mine = card(dev, OFF_TOPIC)
    expect(mine.locator(".post-state[data-state=rejected]")).to_be_visible(timeout=LIVE_MS)
    expect(mine).to_contain_text("off-topic", ignore_case=True)
    for page in (aisha, projector):
        expect(card(page, OFF_TOPIC)).to_have_count(0)

    # A five-minute timer: the same time left on every screen, on the server's clock.
    lead.click("button.timer-start[data-seconds='300']")
    for page, where in ((aisha, "#session-timer"), (dev, "#session-timer"), (projector, "#timer")):
        expect(page.locator(where)).to_be_visible(timeout=LIVE_MS)
    readings = [
        remaining_seconds(lead, "#timer-display", "data-remaining"),
        remaining_seconds(projector, "#timer", "data-remaining"),
        remaining_seconds(aisha, "#session-timer-left", None),
        remaining_seconds(dev, "#session-timer-left", None),
    ]
    shown = [left + (at - readings[0][0]) for at, left in readings]
    assert all(290 <= left <= 300 for _, left in readings), readings
    assert max(shown) - min(shown) <= 1.5, readings

    # Spotlight the repair café on every screen.
    cafe_id = card(aisha, CAFE).get_attribute("data-post-id")
    lead.locator(f"#cpost-{cafe_id} button.spotlight-toggle").click()
    expect(projector.locator("#spotlight-card")).to_have_attribute(
        "data-post-id", str(cafe_id), timeout=LIVE_MS
    )
    for phone in phones:
        expect(phone.locator("#spotlight")).to_have_attribute(
            "data-post-id", str(cafe_id), timeout=LIVE_MS
        )
        expect(phone.locator("#spotlight .spotlight-title")).to_have_text(CAFE)
    projector.screenshot(path=screenshots / "workshop-projector-spotlight.png")

    # Prioritise: three dots each, counted on the server.
    lead.click("#spotlight-end")
    lead.click("button.phase-button[data-phase=prioritise]")
    agree(lead, phones, projector, "prioritise", [CAFE, BENCHES])
    for phone in phones:
        expect(phone.locator("#session-dots")).to_have_attribute("data-left", "3")
    for _ in range(2):
        card(aisha, CAFE).locator("button.dot-place").click()
        aisha.wait_for_timeout(150)
    card(aisha, BENCHES).locator("button.dot-place").click()
    expect(aisha.locator("#session-dots")).to_have_attribute("data-left", "0", timeout=LIVE_MS)
    # None left: Place a dot is off, and says why.
    expect(card(aisha, BENCHES).locator("button.dot-place")).to_be_disabled()
    expect(card(aisha, BENCHES).locator(".dot-why")).to_contain_text("No dots left")
    card(dev, CAFE).locator("button.dot-place").click()
    expect(dev.locator("#session-dots")).to_have_attribute("data-left", "2", timeout=LIVE_MS)
    for phone in phones:
        for title, dots in ((CAFE, "3 dots"), (BENCHES, "1 dot")):
            expect(card(phone, title).locator(".dot-status")).to_contain_text(
                re.compile(rf"^{dots}\b"), timeout=LIVE_MS
            )
    expect(card(projector, CAFE).locator(".dot-count")).to_have_text("3", timeout=LIVE_MS)
    expect(card(projector, BENCHES).locator(".dot-count")).to_have_text("1", timeout=LIVE_MS)
    aisha.screenshot(path=screenshots / "workshop-phone-prioritise.png")

    # Closed: read-only everywhere, and the results on the projector.
    lead.click("button.phase-button[data-phase=closed]")
    agree(lead, phones, projector, "closed", [CAFE, BENCHES])
    for phone in phones:
        expect(phone.locator("#composer")).to_have_attribute("data-closed", "true")
        expect(phone.locator("#composer-closed")).to_be_visible()
    expect(projector.locator("#projector")).to_have_attribute(
        "data-showing", "results", timeout=LIVE_MS
    )
    ranked = projector.locator("#projector-results li.result")
    expect(ranked).to_have_count(2)
    expect(ranked.nth(0)).to_contain_text(CAFE)
    expect(ranked.nth(0).locator(".dot-count")).to_have_text("3")
    expect(ranked.nth(1)).to_contain_text(BENCHES)
    projector.screenshot(path=screenshots / "workshop-projector-results.png")
    axe_clean(projector)
    axe_clean(dev)

    # The log holds every facilitator action of the session, in order.
    log = requests.get(
        f"{server.url}/api/v1/boards/{code}/moderation",
        headers={"Authorization": f"Bearer {board['token']}"},
        timeout=5,
    ).json()["log"]
    assert [e["action"] for e in log] == [
        "set_premoderation",
        "approve",
        "approve",
        "reject",
        "timer",
        "spotlight",
        "spotlight",
        "set_phase",
        "set_phase",
    ]
    assert log[3]["reason"] == "off-topic" and log[3]["note"] == "Try the market board"
    assert real_errors(contexts) == []
