"""Ending a workshop well, and a projector worth looking at, in Debian's Chromium.

Closing a session with a spotlight and a running timer leaves neither on any screen (two
phones, the console, the projector), the projector shows the results (from any state,
over a spotlight too), and the group still promotes its idea and sends it to the council.
The view-only projector link shows the projector in a fresh browser, changes no count and
can do nothing; its results chart fits the top ten on one screen at 1920x1080 and 1366x768.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    Contexts,
    new_board,
    open_card,
    post_via_api,
    real_errors,
    wait_live,
)
from tests.browser.test_console import (
    LIVE_MS,
    axe_clean,
    card,
    compose,
    joined_phone,
    open_console,
    open_projector,
)
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser

IDEA = "Repair café in the empty shop"
FULL_HD = {"width": 1920, "height": 1080}
LAPTOP_PROJECTOR = {"width": 1366, "height": 768}


def no_timer_and_no_spotlight(lead: Page, phones: list[Page], projector: Page) -> None:
    """No screen shows a running timer or a spotlight."""
    expect(lead.locator("#timer-display")).to_have_attribute("data-state", "none", timeout=LIVE_MS)
    expect(lead.locator("#spotlight-current")).to_have_attribute("data-post-id", "")
    expect(lead.locator("#spotlight-end")).to_be_hidden()
    for phone in phones:
        expect(phone.locator("#session-timer")).to_be_hidden(timeout=LIVE_MS)
        expect(phone.locator("#spotlight")).to_be_hidden(timeout=LIVE_MS)
    expect(projector.locator("#timer")).to_be_hidden(timeout=LIVE_MS)
    expect(projector.locator("#timer")).to_have_attribute("data-running", "false")
    expect(projector.locator("#spotlight")).to_be_hidden()


def test_closing_ends_timer_and_spotlight_everywhere_and_the_group_carries_on(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server, title="Hamlet Road workshop")
    code = board["board"]["code"]
    lead = open_console(contexts, board)
    projector = open_projector(contexts, board)
    aisha = joined_phone(contexts, code, "Aisha")
    dev = joined_phone(contexts, code, "Dev")
    phones = [aisha, dev]

    # Aisha's idea, and her group around it.
    compose(aisha, IDEA)
    idea = card(aisha, IDEA)
    expect(idea).to_have_count(1, timeout=LIVE_MS)
    open_card(aisha, idea).locator("button.im-in").click()
    expect(idea.locator("a.group-link")).to_be_visible(timeout=LIVE_MS)
    idea_id = idea.get_attribute("data-post-id")

    # A five-minute timer and the idea in the spotlight, on every screen.
    lead.click("button.timer-start[data-seconds='300']")
    lead.locator(f"#cpost-{idea_id} button.spotlight-toggle").click()
    expect(projector.locator("#spotlight-card")).to_have_attribute(
        "data-post-id", str(idea_id), timeout=LIVE_MS
    )
    expect(projector.locator("#timer")).to_have_attribute("data-running", "true")
    for phone in phones:
        expect(phone.locator("#spotlight")).to_have_attribute(
            "data-post-id", str(idea_id), timeout=LIVE_MS
        )
        expect(phone.locator("#session-timer")).to_be_visible()

    # Closing: nothing runs on, on any screen, and the projector shows the results.
    lead.click("button.phase-button[data-phase=closed]")
    for phone in phones:
        expect(phone.locator("#session")).to_have_attribute("data-phase", "closed", timeout=LIVE_MS)
        expect(phone.locator("#composer")).to_have_attribute("data-closed", "true")
    no_timer_and_no_spotlight(lead, phones, projector)
    expect(projector.locator("#projector")).to_have_attribute(
        "data-showing", "results", timeout=LIVE_MS
    )
    first = projector.locator("#projector-results li.result").first
    expect(first).to_contain_text(IDEA, timeout=LIVE_MS)
    expect(projector.locator("#results-rows tr")).to_have_count(1)
    expect(projector.locator("#results-rows tr th")).to_have_text(IDEA)

    # The results from any state: a spotlight after closing takes the screen, and "Show
    # results" brings the results back over it; pressed again, the spotlight returns.
    lead.locator(f"#cpost-{idea_id} button.spotlight-toggle").click()
    expect(projector.locator("#projector")).to_have_attribute(
        "data-showing", "spotlight", timeout=LIVE_MS
    )
    projector.click("#results-toggle")
    expect(projector.locator("#projector")).to_have_attribute("data-showing", "results")
    expect(projector.locator("#results-toggle")).to_have_attribute("aria-pressed", "true")
    expect(projector.locator("#spotlight")).to_be_hidden()
    projector.click("#results-toggle")
    expect(projector.locator("#projector")).to_have_attribute("data-showing", "spotlight")
    lead.click("#spotlight-end")
    expect(projector.locator("#projector")).to_have_attribute(
        "data-showing", "results", timeout=LIVE_MS
    )
    no_timer_and_no_spotlight(lead, phones, projector)
    projector.screenshot(path=screenshots / "ending-projector-results.png")
    axe_clean(projector)
    axe_clean(lead)

    # The group takes its idea to the council after the session has closed.
    open_card(aisha, idea).locator("a.group-link").click()
    aisha.wait_for_selector("#group-page")
    wait_live(aisha)
    expect(aisha.locator("#promote-form")).to_be_visible()
    aisha.check("#named-in-proposal")
    expect(aisha.locator("#named-status")).to_have_text(
        "Your display name will appear in the proposal.", timeout=LIVE_MS
    )
    aisha.click("#promote")
    aisha.wait_for_selector("#proposal-form")
    wait_live(aisha)
    expect(aisha.locator("#proposal-state")).to_have_text("Draft")
    aisha.check("#proposal-ask-building_or_land")
    aisha.fill("#proposal-what_we_want", "A monthly repair café run by volunteers.")
    aisha.fill("#proposal-options", "Do nothing; run it in the library; run it in the shop.")
    aisha.check("#proposal-route-ward_panel")
    aisha.locator("#proposal-form #save-proposal").click()
    expect(aisha.locator("#save-status")).to_have_text("Saved.", timeout=LIVE_MS)
    aisha.fill("#contact-email", "aisha.repair@example.org")
    aisha.check("#contact-consent")
    aisha.click("#contact-save")
    expect(aisha.locator("#contact-current")).to_contain_text(
        "aisha.repair@example.org", timeout=LIVE_MS
    )
    aisha.click("#submit-proposal")
    expect(aisha.locator("#proposal-state")).to_have_text("Sent to the council", timeout=LIVE_MS)
    # The board itself stays read-only: Dev cannot post.
    expect(dev.locator("#composer-closed")).to_be_visible()
    assert real_errors(contexts) == []


# -- the view-only projector link ---------------------------------------------------------


def counts(server: Server, board: dict[str, Any]) -> tuple[int, int]:
    """(people who joined, people connected now), as the facilitator reads them."""
    code = board["board"]["code"]
    headers = {"Authorization": f"Bearer {board['token']}"}
    snapshot = requests.get(
        f"{server.url}/api/v1/boards/{code}/snapshot", headers=headers, timeout=5
    ).json()
    here = requests.get(
        f"{server.url}/api/v1/boards/{code}/presence", headers=headers, timeout=5
    ).json()
    return snapshot["participants"], here["count"]


def make_projector_link(lead: Page) -> str:
    """The console's panel: make the link; it is shown once, with its QR code."""
    lead.click("#projector-link-make")
    link = lead.locator("#new-projector-link")
    expect(link).to_be_visible()
    expect(lead.locator("#projector svg[role=img]")).to_be_visible()
    return str(link.input_value())


def top_ten_fits(page: Page) -> None:
    """The ten results are whole on screen, nothing scrolls, and the type is large."""
    rows = page.locator("#projector-results li.result")
    expect(rows).to_have_count(10, timeout=LIVE_MS)
    fit = page.evaluate(
        """() => {
            const rows = [...document.querySelectorAll('#projector-results li.result')];
            const title = rows[0].querySelector('.result-title');
            return {
                bottom: Math.max(...rows.map((r) => r.getBoundingClientRect().bottom)),
                right: Math.max(...rows.map((r) => r.getBoundingClientRect().right)),
                height: window.innerHeight,
                width: window.innerWidth,
                scroll: document.scrollingElement.scrollHeight,
                clipped: rows.filter((r) => r.scrollHeight > r.clientHeight + 1).length,
                titlePx: parseFloat(getComputedStyle(title).fontSize),
            };
        }"""
    )
    assert fit["bottom"] <= fit["height"] and fit["right"] <= fit["width"], fit
    assert fit["scroll"] <= fit["height"], fit
    assert fit["clipped"] == 0, fit
    assert fit["titlePx"] >= 20, fit


def test_the_view_only_projector_link_shows_the_room_counts_nobody_and_does_nothing(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server, title="Hamlet Road workshop")
    code = board["board"]["code"]
    ideas = [  # more than the top ten
        post_via_api(server, code, f"Resident {n}", f"Idea number {n + 1}: a longer title")
        for n in range(12)
    ]
    for n, post_id in enumerate(ideas[:3]):  # the lead supports three: bars of 1, the rest 0
        requests.post(
            f"{server.url}/api/v1/boards/{code}/posts/{post_id}/support",
            json={"op_id": f"support-op-{n:04d}"},
            headers={"Authorization": f"Bearer {board['token']}"},
            timeout=5,
        ).raise_for_status()
    lead = open_console(contexts, board)
    phone = joined_phone(contexts, code, "Hannah")
    url = make_projector_link(lead)
    assert f"/b/{code}/projector/" in url
    lead.locator("#projector").screenshot(path=screenshots / "ending-console-projector-link.png")
    axe_clean(lead)
    before = counts(server, board)

    # A fresh browser (no cookie) opens the link: the projector, live, as nobody.
    screen = contexts.new(FULL_HD)
    screen.goto(url.removeprefix(server.url))
    wait_live(screen)
    expect(screen.locator("#joined")).to_have_text(f"{before[0]} joined")
    compose(phone, "Benches along the high street")
    expect(card(screen, "Benches along the high street")).to_be_visible(timeout=LIVE_MS)
    assert counts(server, board) == before
    expect(screen.locator("#presence")).to_have_text(f"{before[1]} here now", timeout=LIVE_MS)

    # It can do nothing: refused as a participant without the right, over HTTP and the
    # socket (the page's own connection is the projector's).
    token = url.rsplit("/", 1)[1]
    tries = [
        ("POST", "posts", {"op_id": "screen-post-01", "kind": "idea", "title": "Mine"}),
        ("PATCH", "session", {"op_id": "screen-phase-1", "phase": "closed"}),
        ("PUT", "timer", {"op_id": "screen-timer-1", "seconds": 60}),
    ]
    refused = screen.evaluate(
        """async ([code, token, tries]) => {
            const headers = {Authorization: `Bearer ${token}`, "Content-Type": "application/json"};
            const answers = [];
            for (const [method, path, body] of tries) {
                const response = await fetch(`/api/v1/boards/${code}/${path}`, {
                    method, headers, body: JSON.stringify(body),
                });
                answers.push([response.status, (await response.json()).error.code]);
            }
            return answers;
        }""",
        [code, token, tries],
    )
    assert refused == [[403, "forbidden"]] * 3
    assert counts(server, board) == before

    # Closed: its results chart, the top ten whole on a 1920x1080 and a 1366x768 screen.
    requests.patch(
        f"{server.url}/api/v1/boards/{code}/session",
        json={"op_id": os.urandom(8).hex(), "phase": "closed"},
        headers={"Authorization": f"Bearer {board['token']}"},
        timeout=5,
    ).raise_for_status()
    expect(screen.locator("#projector")).to_have_attribute(
        "data-showing", "results", timeout=LIVE_MS
    )
    top_ten_fits(screen)
    rows = screen.locator("#projector-results li.result")
    expect(rows.first.locator(".result-bar")).to_have_count(2)  # dots and supports
    widths = rows.locator(".result-supports .bar-fill").evaluate_all(
        "rects => rects.map((r) => r.getAttribute('width'))"
    )
    assert widths == ["100"] * 3 + ["0"] * 7, widths
    expect(rows.first.locator(".support-count")).to_have_text("1")
    expect(screen.locator("#results-rows tr")).to_have_count(10)
    screen.screenshot(path=screenshots / "ending-projector-chart-1920.png")
    axe_clean(screen)
    screen.set_viewport_size(LAPTOP_PROJECTOR)
    top_ten_fits(screen)
    screen.screenshot(path=screenshots / "ending-projector-chart-1366.png")
    axe_clean(screen)
    assert counts(server, board) == before

    # A new link stops this one: the page opens nothing any more.
    lead.goto(f"/b/{code}/facilitate")
    make_projector_link(lead)
    assert screen.request.get(url).status == 404
    assert real_errors(contexts) == []
