"""The facilitator console on a laptop, in Debian's Chromium: at 1366x768 the phase, the
timer and the spotlight stay in the window wherever the console is scrolled to; every
part of the console is one link away in the navigation (by mouse and by keyboard), which
marks the part in view and follows the URL's fragment; without JavaScript the console
says what needs it and shows no control that does nothing; axe finds nothing either way."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import Contexts, new_board, post_via_api, real_errors, wait_live
from tests.browser.test_console import LIVE_MS, api, axe_clean, open_console, participant
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
#: The console's parts, in the navigation's order.
PARTS = [
    "queue",
    "reported",
    "posts-panel",
    "assist",
    "hidden",
    "session",
    "people",
    "fairness",
    "exports",
    "projector",
    "team",
    "log",
]
#: The parts that need JavaScript, each saying so without it.
SCRIPTED_PARTS = ["queue", "reported", "posts-panel", "assist", "session", "people", "fairness"]

#: Each control of the bar (phase, timer, spotlight) that shows: where it is in the
#: window, and whether something else is drawn over its middle.
BAR_CONTROLS = """() => [...document.querySelectorAll(
        '#console-bar button, #console-bar input, #timer-display, #spotlight-current')]
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => {
        const box = el.getBoundingClientRect();
        const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        return {
            what: el.id || el.textContent.trim(),
            top: box.top, bottom: box.bottom, left: box.left, right: box.right,
            covered: !(hit && (hit === el || el.contains(hit))),
        };
    })"""
#: The navigation's links: where each is, and which is marked as the part in view.
NAV_LINKS = """() => [...document.querySelectorAll('#console-nav a')].map((a) => {
        const box = a.getBoundingClientRect();
        return {
            part: a.dataset.section, top: box.top, bottom: box.bottom,
            current: a.getAttribute('aria-current'),
        };
    })"""
#: Buttons, fields and menus that show, each with the form it sends (if it sends one).
CONTROLS_SHOWN = """() => [...document.querySelectorAll(
        'button, input:not([type=hidden]), select, textarea')]
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => ({
        html: el.outerHTML.slice(0, 100),
        sends: Boolean(el.form && el.form.getAttribute('action')
            && el.form.method === 'post'),
    }))"""


def as_without_script(contexts: Contexts, plain: Page) -> Page:
    """A page showing what `plain` (JavaScript off) shows, in a browser with it on, for
    axe, which needs script to run: `plain`'s document as it was parsed without script,
    with its scripts taken out, its <noscript> opened and its stylesheets inlined with
    their (scripting: none) rules in force."""
    html = plain.evaluate("document.documentElement.outerHTML")
    html = re.sub(r"<script\b.*?</script>", "", html, flags=re.DOTALL)
    html = re.sub(r'<link rel="modulepreload"[^>]*>', "", html)
    html = re.sub(r"</?noscript>", "", html)
    assert "<script" not in html and "noscript>" not in html

    def inline(link: re.Match[str]) -> str:
        css = plain.context.request.get(link.group(1)).text()
        return "<style>" + css.replace("@media (scripting: none)", "@media all") + "</style>"

    html = re.sub(r'<link rel="stylesheet" href="([^"]+)">', inline, html)
    seen = contexts.new(LAPTOP)
    seen.set_content(f"<!doctype html>{html}")
    return seen


def busy_board(server: Server) -> dict[str, Any]:
    """A board mid-session: posts, one waiting for approval, one reported, one hidden."""
    board = new_board(server)
    code = board["board"]["code"]
    ideas = [
        post_via_api(
            server, code, f"Neighbour {n}", f"Idea {n} for the high street", body="Why " * 30
        )
        for n in range(8)
    ]
    reported = requests.post(
        f"{server.url}/api/v1/boards/{code}/posts/{ideas[1]}/reports",
        json={"op_id": os.urandom(8).hex(), "reason": "off-topic"},
        headers=participant(server, code, "Careful neighbour"),
        timeout=5,
    )
    assert reported.ok, reported.text
    api(server, board, "POST", f"posts/{ideas[2]}/hide", reason="spam")
    api(server, board, "PATCH", "session", premoderation=True)
    post_via_api(server, code, "Late arrival", "A community fridge")
    board["ideas"] = ideas
    return board


PHASES = {"Gather ideas", "Discuss", "Prioritise", "Closed"}


def assert_bar_in_view(page: Page, where: str) -> None:
    """Every control of the bar is wholly inside the window, with nothing drawn over it."""
    controls = page.evaluate(BAR_CONTROLS)
    shown = {c["what"] for c in controls}
    for needed in ("timer-display", "timer-stop", "spotlight-current", "spotlight-end"):
        assert needed in shown, (where, needed, shown)
    assert sum(1 for c in controls if c["what"] in PHASES) == len(PHASES), (where, controls)
    for control in controls:
        inside = (
            control["top"] >= 0
            and control["bottom"] <= LAPTOP["height"]
            and control["left"] >= 0
            and control["right"] <= LAPTOP["width"]
        )
        assert inside and not control["covered"], (where, control)


def assert_nav_in_view(page: Page, where: str, current: str | None = None) -> None:
    """Every link of the navigation is inside the window; `current` is the one marked."""
    links = page.evaluate(NAV_LINKS)
    assert [link["part"] for link in links] == PARTS
    for link in links:
        assert link["top"] >= 0 and link["bottom"] <= LAPTOP["height"], (where, link)
    marked = [link["part"] for link in links if link["current"]]
    assert len(marked) == 1, (where, marked)
    if current:
        assert marked == [current], (where, marked)


def assert_part_shown_under_the_bar(page: Page, part: str) -> None:
    """The part's heading is in the window, below the bar, not under it."""
    bar = page.locator("#console-bar").bounding_box()
    heading = page.locator(f"#{part} h2").first.bounding_box()
    assert bar and heading
    assert heading["y"] >= bar["y"] + bar["height"], (part, bar, heading)
    assert heading["y"] + heading["height"] <= LAPTOP["height"], (part, heading)


def click_where_it_is(page: Page, selector: str) -> None:
    """Click the middle of what shows, as a person does (no scrolling it into view first)."""
    box = page.locator(selector).bounding_box()
    assert box, selector
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def running_session(contexts: Contexts, board: dict[str, Any]) -> Page:
    """The console with a timer running and a post in the spotlight (all of the bar shows)."""
    lead = open_console(contexts, board, LAPTOP)
    lead.click("button.timer-start[data-seconds='300']")
    expect(lead.locator("#timer-stop")).to_be_visible(timeout=LIVE_MS)
    lead.locator(f"#cpost-{board['ideas'][0]} button.spotlight-toggle").click()
    expect(lead.locator("#spotlight-end")).to_be_visible(timeout=LIVE_MS)
    expect(lead.locator("#queue-list .queue-item")).to_have_count(1)
    expect(lead.locator("#reported-list > li")).to_have_count(1)
    lead.evaluate("window.scrollTo(0, 0)")
    return lead


def test_the_phase_timer_and_spotlight_stay_in_view_through_the_whole_console(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = busy_board(server)
    lead = running_session(contexts, board)
    # Back at the top, the navigation marks the first part once it has seen the scroll.
    expect(lead.locator("#console-nav a[data-section='queue']")).to_have_attribute(
        "aria-current", "location"
    )
    assert_bar_in_view(lead, "top")
    assert_nav_in_view(lead, "top", "queue")
    # What waits for the facilitator is counted in the navigation.
    expect(lead.locator("#nav-queue-count")).to_have_text("1")
    expect(lead.locator("#nav-reported-count")).to_have_text("1")
    height = lead.evaluate("document.documentElement.scrollHeight")
    assert height > 3 * LAPTOP["height"]  # long enough that the bar has to stay

    # Through the whole page, a window at a time.
    for y in range(0, height, LAPTOP["height"] // 2):
        lead.evaluate(f"window.scrollTo(0, {y})")
        lead.wait_for_timeout(50)
        assert_bar_in_view(lead, f"scrolled to {y}")
        assert_nav_in_view(lead, f"scrolled to {y}")

    # Each part from the navigation: shown under the bar, marked, named in the URL.
    for part in PARTS:
        click_where_it_is(lead, f"#console-nav a[data-section='{part}']")
        expect(lead).to_have_url(re.compile(rf"/facilitate#{part}$"))
        expect(lead.locator(f"#console-nav a[data-section='{part}']")).to_have_attribute(
            "aria-current", "location"
        )
        assert_part_shown_under_the_bar(lead, part)
        assert_bar_in_view(lead, part)
        assert_nav_in_view(lead, part, part)

    # The bar's controls work from anywhere: the phase, from the far end of the console.
    click_where_it_is(lead, "button.phase-button[data-phase=discuss]")
    expect(lead.locator("button.phase-button[data-phase=discuss]")).to_have_attribute(
        "aria-pressed", "true", timeout=LIVE_MS
    )
    click_where_it_is(lead, "button.timer-start[data-seconds='60']")
    expect(lead.locator("#timer-display")).to_have_text(re.compile(r"^[01]:\d\d$"))
    assert_nav_in_view(lead, "after the phase and the timer", "log")
    assert_bar_in_view(lead, "after the phase and the timer")
    lead.screenshot(path=screenshots / "console-1366-log.png")
    axe_clean(lead)
    assert real_errors(contexts) == []


def test_a_link_to_a_part_opens_the_console_there(contexts: Contexts, server: Server) -> None:
    board = busy_board(server)
    lead = open_console(contexts, board, LAPTOP)
    lead.goto(f"/b/{board['board']['code']}/facilitate#people")
    expect(lead.locator("#console-nav a[data-section=people]")).to_have_attribute(
        "aria-current", "location"
    )
    expect(lead.locator("#people-list .person")).not_to_have_count(0)
    assert_part_shown_under_the_bar(lead, "people")
    # Back and forward through the fragments move the mark too.
    click_where_it_is(lead, "#console-nav a[data-section=log]")
    expect(lead.locator("#console-nav a[data-section=log]")).to_have_attribute(
        "aria-current", "location"
    )
    lead.go_back()
    expect(lead).to_have_url(re.compile(r"/facilitate#people$"))
    expect(lead.locator("#console-nav a[data-section=people]")).to_have_attribute(
        "aria-current", "location"
    )
    assert real_errors(contexts) == []


def test_every_part_is_reached_from_the_navigation_by_keyboard(
    contexts: Contexts, server: Server
) -> None:
    board = busy_board(server)
    lead = running_session(contexts, board)
    # From the top of a fresh page, as a keyboard starts.
    lead.reload()
    wait_live(lead)
    first = lead.locator("#console-nav a").first
    for _ in range(40):  # the skip link, the header, the bar's controls, then the navigation
        lead.keyboard.press("Tab")
        if first.evaluate("(a) => a === document.activeElement"):
            break
    expect(first).to_be_focused()

    for index, part in enumerate(PARTS):
        link = lead.locator("#console-nav a").nth(index)
        if index > 0:
            # Back to the navigation from the part just read, the way a keyboard goes.
            for _ in range(300):
                if link.evaluate("(a) => a === document.activeElement"):
                    break
                lead.keyboard.press("Shift+Tab")
        expect(link).to_be_focused()
        lead.keyboard.press("Enter")
        # The focus is on the part's heading, which shows under the bar.
        expect(lead.locator(f"#{part} h2").first).to_be_focused()
        expect(lead).to_have_url(re.compile(rf"/facilitate#{part}$"))
        expect(link).to_have_attribute("aria-current", "location")
        assert_part_shown_under_the_bar(lead, part)
        assert_bar_in_view(lead, part)
        # The next Tab goes on inside the part, in view and clear of the bar.
        lead.keyboard.press("Tab")
        focused = lead.evaluate(
            """() => {
                const el = document.activeElement;
                const box = el.getBoundingClientRect();
                const bar = document.getElementById('console-bar').getBoundingClientRect();
                return {
                    part: el.closest('section.console-section')?.id ?? null,
                    top: box.top, bottom: box.bottom, barBottom: bar.bottom,
                };
            }"""
        )
        if focused["part"] == part:
            assert focused["top"] >= focused["barBottom"], (part, focused)
            assert focused["bottom"] <= LAPTOP["height"], (part, focused)
        lead.keyboard.press("Shift+Tab")
    assert real_errors(contexts) == []


def test_without_javascript_the_console_says_what_needs_it_and_offers_nothing_dead(
    contexts: Contexts, server: Server
) -> None:
    board = busy_board(server)
    code = board["board"]["code"]
    lead = contexts.new(LAPTOP, java_script_enabled=False)
    lead.goto(board["enter_url"].removeprefix(server.url))
    lead.goto(f"/b/{code}/facilitate")

    notice = lead.locator("#script-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("This console needs JavaScript to run the session live.")
    expect(notice).to_contain_text("Without it you can still restore hidden posts")
    expect(lead.locator("#console-bar .notice-script")).to_have_text(
        "The phase, the timer and the spotlight need JavaScript."
    )
    for control in ("#phase-panel", "#timer-panel", "#spotlight-panel"):
        expect(lead.locator(control)).to_be_hidden()
    for part in SCRIPTED_PARTS:
        expect(lead.locator(f"#{part} .notice-script")).to_contain_text(
            "This part of the console needs JavaScript."
        )
    for part in set(PARTS) - set(SCRIPTED_PARTS):
        expect(lead.locator(f"#{part} .notice-script")).to_have_count(0)
    # Nothing that would wrongly say "nothing waiting", "no posts" or count 0.
    for claim in ("#queue-empty", "#posts-empty", "#reported-empty", "#people-status"):
        expect(lead.locator(claim)).to_be_hidden()
    expect(lead.locator("#console-nav .count-badge")).to_have_count(2)
    for badge in lead.locator("#console-nav .count-badge").all():
        expect(badge).to_be_hidden()

    # Every control that shows sends a form: restore, invite (and nothing else).
    shown = lead.evaluate(CONTROLS_SHOWN)
    assert [c for c in shown if not c["sends"]] == [], shown
    expect(lead.locator("#hidden button.restore")).to_have_count(1)
    expect(lead.locator(".invite-form button[type=submit]")).to_be_visible()
    # The navigation is plain links: it works without script too.
    lead.click("#console-nav a[data-section=team]")
    expect(lead).to_have_url(re.compile(r"/facilitate#team$"))
    heading = lead.locator("#team h2").bounding_box()
    assert heading and 0 <= heading["y"] < LAPTOP["height"]

    seen = as_without_script(contexts, lead)
    expect(seen.locator("#script-notice")).to_be_visible()
    expect(seen.locator("#timer-panel")).to_be_hidden()
    axe_clean(seen)
    assert real_errors(contexts) == []
