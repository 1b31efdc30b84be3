"""Issue 5, facilitators run the room, in Debian's Chromium: the console's session controls,
timer, spotlight, approval queue, people and fairness, live on phones and the projector;
the results page."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import (
    PHONE,
    PROJECTOR,
    SMALL_TARGETS,
    Contexts,
    join_by_page,
    new_board,
    post_via_api,
    real_errors,
    wait_live,
)
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser

#: "Live": no reload, within a few seconds.
LIVE_MS = 5_000
LAPTOP = {"width": 1280, "height": 800}
IDEA = "Repair café in the empty shop"
OTHER_IDEA = "Benches along the high street"


def signed_in(contexts: Contexts, board: dict, viewport: dict[str, int] = LAPTOP) -> Page:
    """A new browser signed in with the facilitator's link."""
    page = contexts.new(viewport)
    page.goto(board["enter_url"].removeprefix(contexts.server.url))
    page.wait_for_selector("#board")
    return page


def open_console(contexts: Contexts, board: dict, viewport: dict[str, int] = LAPTOP) -> Page:
    page = signed_in(contexts, board, viewport)
    page.goto(f"/b/{board['board']['code']}/facilitate")
    wait_live(page)
    return page


def open_projector(contexts: Contexts, board: dict) -> Page:
    page = signed_in(contexts, board, PROJECTOR)
    page.goto(f"/b/{board['board']['code']}/projector")
    wait_live(page)
    return page


def joined_phone(contexts: Contexts, code: str, name: str) -> Page:
    phone = contexts.new(PHONE)
    join_by_page(phone, code, name)
    wait_live(phone)
    return phone


def card(page: Page, title: str) -> Locator:
    """The card with this title in a board page's or the projector's feed."""
    return page.locator(
        "#feed article.post[data-post-id]", has=page.locator(".post-title", has_text=title)
    )


def console_post(page: Page, title: str) -> Locator:
    """A post in the console's list of posts (not the ones naming it as a merge target)."""
    return page.locator(
        "#console-posts .console-post", has=page.locator(".item-title", has_text=title)
    )


def compose(page: Page, title: str) -> None:
    page.fill("#post-title", title)
    page.click("#composer button[type=submit]")


def api(server: Server, board: dict, method: str, path: str, **body: Any) -> dict:
    """A facilitator's call to the board's API (op id added)."""
    done = requests.request(
        method,
        f"{server.url}/api/v1/boards/{board['board']['code']}/{path}",
        json={"op_id": os.urandom(8).hex(), **body},
        headers={"Authorization": f"Bearer {board['token']}"},
        timeout=5,
    )
    assert done.ok, done.text
    return done.json()


def participant(server: Server, code: str, name: str) -> dict[str, str]:
    """Someone who joined over the API: their auth header."""
    joined = requests.post(
        f"{server.url}/api/v1/boards/{code}/participants", json={"display_name": name}, timeout=5
    ).json()
    return {"Authorization": f"Bearer {joined['token']}"}


def axe_clean(page: Page) -> None:
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()


def remaining_seconds(page: Page, selector: str, attribute: str | None) -> tuple[float, int]:
    """(when it was read, the seconds a timer shows): from an attribute or a m:ss text."""
    if attribute:
        value = page.get_attribute(selector, attribute)
        read_at = time.monotonic()
        return read_at, int(value or -1)
    text = page.inner_text(selector)
    read_at = time.monotonic()
    minutes, seconds = text.strip().split(":")
    return read_at, int(minutes) * 60 + int(seconds)


def test_phase_timer_and_spotlight_reach_phones_and_the_projector(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    idea_id = post_via_api(server, code, "Aisha", IDEA, body="Fixing bikes, mending clothes")
    post_via_api(server, code, "Dev", OTHER_IDEA)
    lead = open_console(contexts, board)
    phone = joined_phone(contexts, code, "Hannah")
    projector = open_projector(contexts, board)

    # The phase, from the console to every screen.
    expect(lead.locator("button.phase-button[data-phase=gather]")).to_have_attribute(
        "aria-pressed", "true"
    )
    lead.click("button.phase-button[data-phase=discuss]")
    expect(lead.locator("button.phase-button[data-phase=discuss]")).to_have_attribute(
        "aria-pressed", "true", timeout=LIVE_MS
    )
    expect(lead.locator("button.phase-button[data-phase=gather]")).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(lead.locator("#phase-now")).to_have_text("Now: Discuss")
    expect(phone.locator("#session")).to_have_attribute("data-phase", "discuss", timeout=LIVE_MS)
    expect(projector.locator("#phase")).to_have_attribute("data-phase", "discuss", timeout=LIVE_MS)
    expect(projector.locator("#phase-name")).to_have_text("Discuss")

    # A 3-minute timer shows the same time left everywhere, on the server's clock.
    lead.click("button.timer-start[data-seconds='180']")
    expect(lead.locator("#timer-display")).to_have_attribute("data-running", "true")
    expect(projector.locator("#timer")).to_be_visible(timeout=LIVE_MS)
    expect(phone.locator("#session-timer")).to_be_visible(timeout=LIVE_MS)
    readings = [
        remaining_seconds(lead, "#timer-display", "data-remaining"),
        remaining_seconds(projector, "#timer", "data-remaining"),
        remaining_seconds(phone, "#session-timer-left", None),
    ]
    first = readings[0][0]
    # What each screen showed, moved to the moment of the first reading.
    shown = [left + (at - first) for at, left in readings]
    assert all(170 <= left <= 180 for _, left in readings), readings
    assert max(shown) - min(shown) <= 1.5, readings
    expect(lead.locator("#timer-display")).to_have_text(re.compile(r"^[23]:\d\d$"))
    expect(projector.locator("#timer")).to_have_text(re.compile(r"^[23]:\d\d$"))

    # Spotlight a post: large on the projector, marked on the phone.
    lead.locator(f"#cpost-{idea_id} button.spotlight-toggle").click()
    expect(lead.locator(f"#cpost-{idea_id} button.spotlight-toggle")).to_have_attribute(
        "aria-pressed", "true", timeout=LIVE_MS
    )
    expect(lead.locator("#spotlight-current")).to_contain_text(IDEA)
    expect(projector.locator("#spotlight")).to_be_visible(timeout=LIVE_MS)
    expect(projector.locator("#spotlight-title")).to_have_text(IDEA)
    expect(projector.locator("#spotlight-card")).to_have_attribute("data-post-id", str(idea_id))
    expect(projector.locator("#feed-section")).to_be_hidden()
    expect(phone.locator("#spotlight")).to_have_attribute(
        "data-post-id", str(idea_id), timeout=LIVE_MS
    )
    projector.screenshot(path=screenshots / "projector-spotlight-1280.png")
    axe_clean(projector)

    lead.click("#spotlight-end")
    expect(projector.locator("#spotlight")).to_be_hidden(timeout=LIVE_MS)
    expect(card(projector, IDEA)).to_be_visible()
    expect(lead.locator("#spotlight-end")).to_be_hidden()

    # Stop the timer: gone everywhere.
    lead.click("#timer-stop")
    expect(projector.locator("#timer")).to_be_hidden(timeout=LIVE_MS)
    expect(lead.locator("#timer-display")).to_have_attribute("data-running", "false")
    lead.screenshot(path=screenshots / "console-1280.png", full_page=True)
    axe_clean(lead)
    assert real_errors(contexts) == []


def test_approve_and_reject_posts_waiting_in_the_queue(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    lead = open_console(contexts, board)
    author = joined_phone(contexts, code, "Aisha")
    other = joined_phone(contexts, code, "Dev")
    projector = open_projector(contexts, board)

    lead.click("#toggle-premoderation")
    setting = lead.locator(".setting[data-setting=premoderation]")
    expect(setting).to_have_attribute("data-on", "true", timeout=LIVE_MS)
    expect(lead.locator("#toggle-premoderation")).to_have_text("Turn pre-moderation off")
    expect(lead.locator("#toggle-premoderation")).to_be_focused()

    rude = "Everyone on this street is an idiot"
    compose(author, IDEA)
    compose(author, rude)
    queue = lead.locator("#queue-list .queue-item")
    expect(queue).to_have_count(2, timeout=LIVE_MS)
    expect(lead.locator("#queue-count")).to_have_text("2")
    expect(queue.nth(0)).to_contain_text(IDEA)
    expect(queue.nth(0)).to_contain_text("by Aisha")
    for page in (other, projector):
        expect(card(page, IDEA)).to_have_count(0)

    waiting = lead.locator(".queue-item", has_text=IDEA)
    waiting.locator("button.approve").click()
    for page in (other, projector):
        expect(card(page, IDEA)).to_have_count(1, timeout=LIVE_MS)

    refused = lead.locator(".queue-item", has_text=rude)
    # The focus moved on to the next waiting post.
    expect(refused.locator("button.approve")).to_be_focused()
    reject = refused.locator("button.reject")
    reject.click()
    expect(reject).to_have_attribute("aria-expanded", "true")
    reason = refused.locator(".reject-form select[name=reason]")
    expect(reason).to_be_focused()
    expect(reason.locator("option")).to_have_text(
        ["Spam", "Offensive", "Off-topic", "Personal information", "Duplicate"]
    )
    reason.select_option("offensive")
    refused.locator(".reject-form input[name=note]").fill("Please keep it kind")
    lead.set_viewport_size(PHONE)
    lead.screenshot(path=screenshots / "console-queue-360.png", full_page=True)
    axe_clean(lead)
    lead.set_viewport_size(LAPTOP)
    refused.locator("button.reject-send").click()
    expect(queue).to_have_count(0, timeout=LIVE_MS)
    expect(lead.locator("#queue-empty")).to_be_visible()
    expect(lead.locator("#queue-heading")).to_be_focused()
    # Only its author hears why; nobody else ever saw it.
    mine = author.locator("#feed article.post", has_text=rude)
    expect(mine).to_contain_text("Not approved", timeout=LIVE_MS)
    for page in (other, projector):
        expect(card(page, rude)).to_have_count(0)
    # A report reaches the console at once, counted.
    idea_id = card(other, IDEA).get_attribute("data-post-id")
    reporter = participant(server, code, "Careful neighbour")
    reported = requests.post(
        f"{server.url}/api/v1/boards/{code}/posts/{idea_id}/reports",
        json={"op_id": os.urandom(8).hex(), "reason": "off-topic"},
        headers=reporter,
        timeout=5,
    )
    assert reported.ok, reported.text
    report = lead.locator(f"#reported-{idea_id}")
    expect(report.locator(".report-count")).to_have_text("Reported by 1 person", timeout=LIVE_MS)
    expect(lead.locator("#reported-empty")).to_be_hidden()

    # Both decisions are in the log.
    lead.reload()
    log = lead.locator(".log-table tbody tr")
    expect(log.nth(0)).to_contain_text("Did not approve a post")
    expect(log.nth(0)).to_contain_text("Offensive")
    expect(log.nth(1)).to_contain_text("Approved a post")
    assert real_errors(contexts) == []


def test_fairness_people_and_the_tools_on_each_post(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    lead = open_console(contexts, board)
    fairness = lead.locator("#fairness")
    expect(fairness).to_have_attribute("data-loaded", "true")
    expect(lead.locator("#fair-joined")).to_have_text("0")

    phone = joined_phone(contexts, code, "Hannah")
    expect(lead.locator("#fair-joined")).to_have_text("1", timeout=LIVE_MS)
    expect(lead.locator("#fair-not-posted")).to_have_text("1")
    expect(lead.locator("#fair-not-posted-names")).to_have_text("Not posted yet: Hannah.")
    compose(phone, IDEA)
    expect(lead.locator("#fair-posted")).to_have_text("1", timeout=LIVE_MS)
    expect(lead.locator("#fair-not-posted")).to_have_text("0")
    expect(lead.locator("#fair-top-percent")).to_have_text("100%")
    expect(lead.locator("#fair-top-share")).to_have_text(
        "The most active 10% (1 person) wrote 100% of the posts."
    )
    post_via_api(server, code, "Dev", OTHER_IDEA)
    expect(lead.locator("#fair-joined")).to_have_text("2", timeout=LIVE_MS)
    expect(lead.locator("#fair-top-percent")).to_have_text("50%")

    # A post entered for someone from a paper card.
    lead.select_option("#assist-kind", "need")
    lead.fill("#assist-title", "A lift to the surgery on Tuesdays")
    lead.fill("#assist-name", "Margaret")
    lead.click("#assist-form button[type=submit]")
    assisted = console_post(lead, "A lift to the surgery")
    expect(assisted).to_contain_text("Entered for Margaret", timeout=LIVE_MS)
    expect(card(phone, "A lift to the surgery")).to_have_count(1, timeout=LIVE_MS)
    expect(lead.locator("#fair-assisted")).to_have_text("1", timeout=LIVE_MS)
    expect(lead.locator("#assist-title")).to_have_value("")

    # Pin: first on every screen.
    idea = console_post(lead, IDEA)
    idea.locator("button.pin").click()
    expect(idea.locator("button.pin")).to_have_attribute("aria-pressed", "true", timeout=LIVE_MS)
    expect(lead.locator("#console-posts .console-post").first).to_contain_text(IDEA)
    expect(phone.locator("#feed article.post[data-post-id] .post-title").first).to_have_text(
        IDEA, timeout=LIVE_MS
    )

    # Merge a duplicate into the idea it repeats.
    duplicate = "Repair cafe in the old shop"
    dup_id = post_via_api(server, code, "Sam", duplicate)
    dup = lead.locator(f"#cpost-{dup_id}")
    expect(dup).to_be_visible(timeout=LIVE_MS)
    dup.locator("button.merge").click()
    target = dup.locator(".merge-form select[name=into_id]")
    expect(target).to_be_focused()
    idea_id = idea.get_attribute("data-post-id")
    target.select_option(value=idea_id)
    dup.locator("button.merge-send").click()
    expect(dup).to_have_count(0, timeout=LIVE_MS)
    expect(card(phone, duplicate)).to_have_count(0, timeout=LIVE_MS)

    # People: mute and unmute, remove with a confirmation.
    hannah = lead.locator("#people-list .person", has_text="Hannah")
    hannah.locator("button.mute").click()
    expect(hannah).to_have_attribute("data-muted", "true", timeout=LIVE_MS)
    expect(hannah.locator("button.mute")).to_have_text("Unmute")
    expect(hannah.locator(".person-badges")).to_contain_text("muted")
    hannah.locator("button.mute").click()
    expect(hannah).to_have_attribute("data-muted", "false", timeout=LIVE_MS)
    sam = lead.locator("#people-list .person", has_text="Sam")
    sam.locator("button.remove").click()
    confirm = sam.locator(".remove-confirm")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("Remove Sam from the board?")
    expect(sam.locator("button.remove-yes")).to_be_focused()
    lead.keyboard.press("Escape")
    expect(confirm).to_be_hidden()
    expect(sam.locator("button.remove")).to_be_focused()
    sam.locator("button.remove").click()
    sam.locator("button.remove-yes").click()
    expect(sam).to_have_attribute("data-removed", "true", timeout=LIVE_MS)
    expect(sam.locator(".item-actions")).to_be_hidden()

    # Downloads: the board as JSON and CSV, the moderation log as CSV.
    for link, kind in (
        ("a.export-json", "application/json"),
        ("a.export-csv", "text/csv"),
        ("a.export-moderation", "text/csv"),
    ):
        href = lead.locator(link).get_attribute("href")
        assert href and href.startswith(f"/api/v1/boards/{code}/"), href
        download = lead.context.request.get(href)
        assert download.ok and download.headers["content-type"].startswith(kind), href
        assert "attachment" in download.headers["content-disposition"]
    assert lead.locator("a.results-link").get_attribute("href") == f"/b/{code}/results"

    lead.screenshot(path=screenshots / "console-posts-1280.png", full_page=True)
    # The console on a phone: every control reachable and big enough, nothing too wide.
    lead.set_viewport_size(PHONE)
    axe_clean(lead)
    assert lead.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert lead.evaluate(SMALL_TARGETS) == []
    assert real_errors(contexts) == []


def test_results_rank_by_dots_once_they_are_revealed(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    supported = post_via_api(server, code, "Aisha", "Benches along the high street")
    dotted = post_via_api(server, code, "Dev", "Repair café in the empty shop")
    post_via_api(server, code, "Priya", "Ladder and hedge trimmer", kind="tool")
    voters = [participant(server, code, f"Voter {n}") for n in range(3)]
    for voter in voters[:2]:
        done = requests.post(
            f"{server.url}/api/v1/boards/{code}/posts/{supported}/support",
            json={"op_id": os.urandom(8).hex()},
            headers=voter,
            timeout=5,
        )
        assert done.ok, done.text
    api(server, board, "PATCH", "session", phase="prioritise", dots_hidden=True)
    for voter in voters:
        done = requests.post(
            f"{server.url}/api/v1/boards/{code}/posts/{dotted}/dots",
            json={"op_id": os.urandom(8).hex()},
            headers=voter,
            timeout=5,
        )
        assert done.ok, done.text

    lead = open_console(contexts, board)
    phone = joined_phone(contexts, code, "Hannah")
    phone.goto(f"/b/{code}/results")
    wait_live(phone)
    ranked = phone.locator("#ranked-list li.result")
    # Dots hidden: ranked by supports, and no dot counts anywhere.
    expect(phone.locator("#ranking-rule")).to_have_attribute("data-dots-hidden", "true")
    expect(ranked.first).to_have_attribute("data-post-id", str(supported))
    expect(phone.locator(".result-dots")).to_have_count(0)
    expect(phone.locator("#offers-inventory .offer-item")).to_contain_text(
        ["Ladder and hedge trimmer"]
    )

    lead.click("#toggle-dots_hidden")
    expect(lead.locator("#toggle-dots_hidden")).to_have_text("Hide dot counts", timeout=LIVE_MS)
    expect(phone.locator("#ranking-rule")).to_have_attribute(
        "data-dots-hidden", "false", timeout=LIVE_MS
    )
    expect(ranked.first).to_have_attribute("data-post-id", str(dotted))
    expect(ranked.first.locator(".dot-count")).to_have_text("3")
    expect(ranked.nth(1)).to_have_attribute("data-post-id", str(supported))
    phone.screenshot(path=screenshots / "results-360.png", full_page=True)
    axe_clean(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Closing the session puts the results on the projector.
    projector = open_projector(contexts, board)
    expect(projector.locator("#feed-section")).to_be_visible()
    lead.click("button.phase-button[data-phase=closed]")
    expect(projector.locator("#results-view")).to_be_visible(timeout=LIVE_MS)
    shown = projector.locator("#projector-results li.result")
    expect(shown.first).to_have_attribute("data-post-id", str(dotted), timeout=LIVE_MS)
    expect(shown.first.locator(".dot-count")).to_have_text("3")
    expect(projector.locator("#results-toggle")).to_have_attribute("aria-pressed", "true")
    projector.screenshot(path=screenshots / "projector-results-1280.png")
    axe_clean(projector)
    projector.click("#results-toggle")
    expect(projector.locator("#feed-section")).to_be_visible()
    expect(card(projector, "Repair café").locator(".dot-count")).to_have_text("3")

    # Anyone on the board may see the results; a stranger is asked to join first.
    stranger = contexts.new(PHONE)
    stranger.goto(f"/b/{code}/results")
    expect(stranger).to_have_url(re.compile(rf"/b/{code}/join$"))
    missing = stranger.goto("/b/ZZZZZZ/results")
    assert missing is not None and missing.status == 404

    laptop = signed_in(contexts, board, PROJECTOR)
    laptop.goto(f"/b/{code}/results")
    laptop.screenshot(path=screenshots / "results-1280.png", full_page=True)
    axe_clean(laptop)
    assert real_errors(contexts) == []


def test_silent_brainstorming_holds_posts_back_until_reveal_all(
    contexts: Contexts, server: Server
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    lead = open_console(contexts, board)
    phone = joined_phone(contexts, code, "Aisha")
    other = joined_phone(contexts, code, "Dev")
    projector = open_projector(contexts, board)

    lead.click("#toggle-silent")
    expect(lead.locator("#toggle-silent")).to_have_text("Reveal all now", timeout=LIVE_MS)
    expect(projector.locator("#session-note")).to_contain_text("Silent brainstorming")
    compose(phone, IDEA)
    compose(other, OTHER_IDEA)
    expect(lead.locator("#silent-state")).to_have_text(
        "Silent brainstorming: 2 posts are held back until you reveal them.", timeout=LIVE_MS
    )
    held = console_post(lead, IDEA)
    expect(held.locator(".post-kind")).to_contain_text("Held back")
    expect(held.locator("button.spotlight-toggle")).to_be_hidden()
    # Nobody else sees them yet, the projector least of all.
    expect(card(projector, IDEA)).to_have_count(0)
    expect(card(projector, OTHER_IDEA)).to_have_count(0)
    expect(card(other, IDEA)).to_have_count(0)

    lead.click("#toggle-silent")
    for page in (projector, other, phone):
        expect(card(page, IDEA)).to_have_count(1, timeout=LIVE_MS)
    expect(card(projector, OTHER_IDEA)).to_have_count(1)
    expect(lead.locator("#toggle-silent")).to_have_text("Start silent brainstorming")
    expect(held.locator(".post-kind")).not_to_contain_text("Held back")
    expect(projector.locator("#session-note")).to_be_hidden()
    assert real_errors(contexts) == []
