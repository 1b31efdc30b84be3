"""Issue 5 on the residents' phones, in Debian's Chromium: the facilitators run the room
(pre-moderation, phases, the lock, the spotlight, dots, the timer) and every phone follows
live, in plain words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import (
    PHONE,
    SMALL_TARGETS,
    BoardApi,
    Contexts,
    join_by_page,
    new_board,
    open_card,
    post_via_api,
    wait_live,
)
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser

#: "Live": no reload, within a few seconds.
LIVE_MS = 5_000


class Lead(BoardApi):
    """The facilitator, acting over the API with the board's facilitator token."""

    def __init__(self, server: Server, board: dict[str, Any]) -> None:
        super().__init__(server, board["board"]["code"], board["token"])

    def session(self, **settings: Any) -> None:
        self("PATCH", "session", **settings)


def card(page: Page, title: str) -> Locator:
    """The confirmed card with this title on a phone's feed."""
    return page.locator(
        "#feed article.post[data-post-id]", has=page.locator(".post-title", has_text=title)
    )


def compose(page: Page, title: str) -> None:
    page.fill("#post-title", title)
    page.click("#composer button[type=submit]")


def phone_for(contexts: Contexts, code: str, name: str, **options: Any) -> Page:
    page = contexts.new(PHONE, **options)
    join_by_page(page, code, name)
    wait_live(page)
    return page


def test_a_post_waits_for_approval_then_reaches_everyone_live(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    lead = Lead(server, board)
    lead.session(premoderation=True)
    aisha = phone_for(contexts, code, "Aisha")
    dev = phone_for(contexts, code, "Dev")
    expect(aisha.locator("#session-premoderation")).to_be_visible()

    compose(aisha, "Repair café in the empty shop")
    mine = card(aisha, "Repair café in the empty shop")
    expect(mine.locator(".post-state[data-state=pending]")).to_have_text(
        "Waiting for a facilitator to approve it", timeout=LIVE_MS
    )
    # Waiting: nothing for anyone else to support, comment on or report yet.
    expect(mine.locator(".support-form")).to_be_hidden()
    expect(mine.locator(".comment-form")).to_be_hidden()
    post_id = int(mine.get_attribute("data-post-id") or 0)
    dev.wait_for_timeout(1_000)
    expect(card(dev, "Repair café in the empty shop")).to_have_count(0)
    aisha.screenshot(path=screenshots / "board-360-pending.png", full_page=True)

    lead("POST", f"posts/{post_id}/approve")
    arrived = card(dev, "Repair café in the empty shop")
    expect(arrived).to_have_count(1, timeout=LIVE_MS)
    expect(arrived.locator(".post-state")).to_have_count(0)
    expect(arrived.locator("details.report-box summary")).to_contain_text("Report")
    expect(mine.locator(".post-state")).to_have_count(0, timeout=LIVE_MS)
    expect(mine.locator(".support-form")).to_be_visible()

    # Not approved: the author is told why, on the card and in a note; nobody else knows.
    compose(aisha, "Buy my stuff cheap")
    spam = card(aisha, "Buy my stuff cheap")
    expect(spam.locator(".post-state[data-state=pending]")).to_have_count(1, timeout=LIVE_MS)
    spam_id = int(spam.get_attribute("data-post-id") or 0)
    lead("POST", f"posts/{spam_id}/reject", reason="spam", note="Please post offers instead")
    expect(spam.locator(".post-state[data-state=rejected]")).to_contain_text(
        "Not approved: Spam", timeout=LIVE_MS
    )
    expect(spam.locator(".post-state-note")).to_have_text("Please post offers instead")
    expect(aisha.locator("#notices .board-notice")).to_contain_text(
        "Your post “Buy my stuff cheap” was not approved: Spam."
    )
    expect(open_card(aisha, spam).locator("button.delete")).to_be_visible()
    expect(spam.locator(".edit-link")).to_have_count(0)
    expect(card(dev, "Buy my stuff cheap")).to_have_count(0)

    # Dev reports the approved idea: a disclosure with the reasons, then thanks.
    open_card(dev, arrived).locator("details.report-box summary").click()
    arrived.get_by_label("Off-topic").check()
    arrived.locator("button.report-send").click()
    expect(arrived.locator(".report-done")).to_have_text(
        "Thanks — a facilitator will look at it", timeout=LIVE_MS
    )
    assert contexts.errors == []


def test_the_banner_follows_the_facilitator_live(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    lead = Lead(server, board)
    first = post_via_api(server, code, "Aisha", "Benches by the bus stop")
    post_via_api(server, code, "Tomasz", "A tool library in the old library")
    phone = phone_for(contexts, code, "Hannah")
    phase = phone.locator("#session-phase")
    expect(phase).to_have_text("Sharing ideas")
    expect(phone.locator("#spotlight")).to_be_hidden()

    lead.session(phase="discuss")
    expect(phase).to_have_text("Discussing", timeout=LIVE_MS)
    expect(phone.locator("#session")).to_have_attribute("data-phase", "discuss")

    # Paused: the composer says why and takes nothing.
    lead.session(locked=True)
    expect(phone.locator("#session-locked")).to_have_text("The board is paused", timeout=LIVE_MS)
    expect(phone.locator("#composer-closed")).to_be_visible()
    expect(phone.locator("#post-title")).to_be_disabled()
    expect(card(phone, "Benches by the bus stop").locator("button.support")).to_be_disabled()
    lead.session(locked=False)
    expect(phone.locator("#session-locked")).to_be_hidden(timeout=LIVE_MS)
    expect(phone.locator("#post-title")).to_be_enabled()

    # Spotlight and pin: the card is on every screen's top.
    lead("PUT", "spotlight", post_id=first)
    spotlight = phone.locator("#spotlight")
    expect(spotlight.locator(".spotlight-title")).to_have_text(
        "Benches by the bus stop", timeout=LIVE_MS
    )
    expect(spotlight).to_have_attribute("data-post-id", str(first))
    expect(card(phone, "Benches by the bus stop")).to_have_class(
        re.compile(r"\bis-spotlit\b"), timeout=LIVE_MS
    )
    lead("POST", f"posts/{first}/pin", pinned=True)
    titles = phone.locator("#feed article.post[data-post-id] .post-title")
    expect(titles.first).to_have_text("Benches by the bus stop", timeout=LIVE_MS)
    expect(card(phone, "Benches by the bus stop").locator(".pinned-badge")).to_have_text("Pinned")

    lead.session(phase="closed")
    expect(phase).to_have_text("Closed: thank you", timeout=LIVE_MS)
    expect(phone.locator("#composer-closed")).to_have_text(
        "This session has closed: the board is read-only."
    )
    # Closing ends the spotlight; the pinned post stays on top.
    expect(phone.locator("#spotlight")).to_be_hidden(timeout=LIVE_MS)
    expect(titles.first).to_have_text("Benches by the bus stop")
    phone.screenshot(path=screenshots / "board-360-closed.png", full_page=True)
    # A reload draws the same from the server.
    phone.reload()
    wait_live(phone)
    expect(phase).to_have_text("Closed: thank you")
    expect(titles.first).to_have_text("Benches by the bus stop")
    expect(phone.locator("#spotlight")).to_be_hidden()
    assert contexts.errors == []


def test_dots_count_down_and_the_server_refuses_past_the_budget(
    contexts: Contexts, server: Server
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    lead = Lead(server, board)
    post_via_api(server, code, "Aisha", "Benches by the bus stop")
    post_via_api(server, code, "Tomasz", "A tool library in the old library")
    post_via_api(server, code, "Sam", "Ladder to lend", kind="tool")
    phone = phone_for(contexts, code, "Hannah")
    other = phone_for(contexts, code, "Dev")
    # Gathering: no dots anywhere yet.
    expect(phone.locator(".dot-box")).to_have_count(0)
    expect(phone.locator("#session-dots")).to_be_hidden()

    lead.session(phase="prioritise", dot_budget=3)
    left = phone.locator("#session-dots")
    expect(phone.locator("#session-phase")).to_have_text(
        "Prioritising: place your 3 dots", timeout=LIVE_MS
    )
    expect(left).to_have_text("You have 3 of 3 dots left")
    # Ideas and needs take dots; an offer does not.
    expect(card(phone, "Ladder to lend").locator(".dot-box")).to_have_count(0)
    benches = card(phone, "Benches by the bus stop")
    library = card(phone, "A tool library in the old library")

    benches.locator("button.dot-place").click()
    expect(left).to_have_text("You have 2 of 3 dots left", timeout=LIVE_MS)
    benches.locator("button.dot-place").click()
    library.locator("button.dot-place").click()
    expect(left).to_have_text("You have 0 of 3 dots left", timeout=LIVE_MS)
    expect(benches.locator(".dot-status")).to_have_text("2 dots · Your dots here: 2")
    # The other phone sees the count move live.
    expect(card(other, "Benches by the bus stop").locator(".dot-status")).to_have_text(
        "2 dots · Your dots here: 0", timeout=LIVE_MS
    )

    # None left: Place a dot is off, saying why (the server refuses a fourth anyway).
    expect(library.locator("button.dot-place")).to_be_disabled()
    expect(library.locator(".dot-why")).to_have_text(
        "No dots left to place: take one back to move it."
    )
    expect(left).to_have_text("You have 0 of 3 dots left")
    benches.locator("button.dot-take-back").click()
    expect(left).to_have_text("You have 1 of 3 dots left", timeout=LIVE_MS)
    expect(benches.locator(".dot-status")).to_have_text("1 dot · Your dots here: 1")

    # Hidden dots: counts go, my own stay; the reveal brings every count back.
    lead.session(dots_hidden=True)
    expect(phone.locator("#session-dots-hidden")).to_have_text(
        "Dots are hidden until the facilitator reveals them", timeout=LIVE_MS
    )
    expect(benches.locator(".dot-status")).to_have_text("Your dots here: 1")
    library.locator("button.dot-place").click()
    expect(left).to_have_text("You have 0 of 3 dots left", timeout=LIVE_MS)
    expect(card(other, "A tool library in the old library").locator(".dot-status")).to_have_text(
        "Your dots here: 0"
    )
    lead.session(dots_hidden=False)
    expect(card(other, "A tool library in the old library").locator(".dot-status")).to_have_text(
        "2 dots · Your dots here: 0", timeout=LIVE_MS
    )
    assert contexts.errors == []


#: A phone whose own clock is 90 seconds fast: timers must count on the server's clock.
FAST_CLOCK = "Date.now = ((now) => () => now() + 90_000)(Date.now);"


def test_a_timer_shows_the_same_time_on_every_phone(contexts: Contexts, server: Server) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    lead = Lead(server, board)
    right = phone_for(contexts, code, "Aisha")
    context = contexts.browser.new_context(viewport=PHONE, base_url=server.url)
    contexts.opened.append(context)
    context.add_init_script(FAST_CLOCK)
    fast = context.new_page()
    join_by_page(fast, code, "Dev")
    wait_live(fast)
    expect(right.locator("#session-timer")).to_be_hidden()

    lead("PUT", "timer", seconds=300)
    for page in (right, fast):
        expect(page.locator("#session-timer")).to_be_visible(timeout=LIVE_MS)
    shown = [
        int(page.locator("#session-timer").get_attribute("data-seconds") or -1)
        for page in (right, fast)
    ]
    assert abs(shown[0] - shown[1]) <= 1, shown
    assert 290 <= shown[0] <= 300, shown
    text = right.locator("#session-timer-left").inner_text()
    assert text in {f"{s // 60}:{s % 60:02d}" for s in range(shown[0] - 1, shown[0] + 2)}

    # A phone that opens later counts on the same clock.
    late = contexts.browser.new_context(viewport=PHONE, base_url=server.url)
    contexts.opened.append(late)
    late.add_init_script(FAST_CLOCK.replace("+ 90_000", "- 45_000"))
    slow = late.new_page()
    join_by_page(slow, code, "Sam")
    wait_live(slow)
    both = [
        int(page.locator("#session-timer").get_attribute("data-seconds") or -1)
        for page in (right, slow)
    ]
    assert abs(both[0] - both[1]) <= 1, both

    lead("PUT", "timer", seconds=0)
    expect(fast.locator("#session-timer")).to_be_hidden(timeout=LIVE_MS)


def test_axe_finds_nothing_while_prioritising_with_a_spotlight(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server, tags=["streets"])
    code = board["board"]["code"]
    lead = Lead(server, board)
    spotlit = post_via_api(
        server, code, "Aisha", "Benches by the bus stop", body="Somewhere to rest on the way"
    )
    post_via_api(server, code, "Tomasz", "Lifts to the surgery", kind="need", tag="streets")
    lead(
        "POST",
        "posts",
        kind="idea",
        title="Plant the verges with wildflowers",
        on_behalf_of="Mrs Patel",
    )
    post_via_api(server, code, "Sam", "Ladder to lend", kind="tool")
    lead("POST", f"posts/{spotlit}/pin", pinned=True)
    phone = phone_for(contexts, code, "Hannah")
    compose(phone, "A weekly litter pick")  # mine: no Report on it
    expect(card(phone, "A weekly litter pick")).to_have_count(1, timeout=LIVE_MS)
    lead.session(phase="prioritise", dot_budget=3, premoderation=True)
    lead("PUT", "spotlight", post_id=spotlit)
    lead("PUT", "timer", seconds=240)
    expect(phone.locator("#spotlight")).to_be_visible(timeout=LIVE_MS)
    expect(phone.locator("#session-timer")).to_be_visible(timeout=LIVE_MS)
    expect(card(phone, "Plant the verges with wildflowers").locator(".post-author")).to_have_text(
        "Entered for Mrs Patel by a facilitator"
    )
    benches = card(phone, "Benches by the bus stop")
    benches.locator("button.dot-place").click()
    expect(phone.locator("#session-dots")).to_have_text(
        "You have 2 of 3 dots left", timeout=LIVE_MS
    )
    open_card(phone, benches).locator("details.report-box summary").click()
    expect(benches.locator(".report-form legend")).to_have_text("Why report it?")
    expect(phone.locator("#post-title")).to_be_disabled()
    phone.screenshot(path=screenshots / "board-360-prioritise.png", full_page=True)
    phone.evaluate("window.scrollTo(0, 0)")
    phone.screenshot(path=screenshots / "board-360-prioritise-top.png")

    result = Axe().run(phone)
    assert result.violations_count == 0, result.generate_report()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.evaluate(SMALL_TARGETS) == []
    assert contexts.errors == []


def test_silent_brainstorming_reveals_everything_at_once_and_a_facilitator_approves_inline(
    contexts: Contexts, server: Server
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    lead = Lead(server, board)
    lead.session(silent=True)
    aisha = phone_for(contexts, code, "Aisha")
    dev = phone_for(contexts, code, "Dev")
    expect(aisha.locator("#session-silent")).to_be_visible()
    compose(aisha, "Benches by the bus stop")
    compose(dev, "A tool library")
    for page, title in ((aisha, "Benches by the bus stop"), (dev, "A tool library")):
        expect(card(page, title).locator(".post-state[data-state=silent]")).to_have_text(
            "Only you and the facilitators can see this until the reveal", timeout=LIVE_MS
        )
    expect(card(dev, "Benches by the bus stop")).to_have_count(0)

    lead.session(silent=False)
    for page in (aisha, dev):
        for title in ("Benches by the bus stop", "A tool library"):
            expect(card(page, title)).to_have_count(1, timeout=LIVE_MS)
            expect(card(page, title).locator(".post-state")).to_have_count(0)

    # Pre-moderation, with the facilitator on the board page: Approve on the card.
    lead.session(premoderation=True)
    facilitator = contexts.new(PHONE)
    facilitator.goto(board["enter_url"].removeprefix(server.url))
    wait_live(facilitator)
    compose(dev, "Street party in June")
    queued = card(facilitator, "Street party in June")
    expect(queued.locator(".post-state[data-state=pending]")).to_have_text(
        "Waiting for approval", timeout=LIVE_MS
    )
    expect(card(aisha, "Street party in June")).to_have_count(0)
    open_card(facilitator, queued).locator("button.approve").click()
    expect(card(aisha, "Street party in June")).to_have_count(1, timeout=LIVE_MS)
    expect(queued.locator(".post-state")).to_have_count(0, timeout=LIVE_MS)

    # Muted: the composer says so; a facilitator's paper card shows whose it is.
    participants = lead("GET", "participants")["participants"]
    dev_id = next(p["id"] for p in participants if p["name"] == "Dev")
    lead("POST", f"participants/{dev_id}/mute", muted=True)
    expect(dev.locator("#composer-closed")).to_have_text(
        "A facilitator has muted you: you can still read, support and place dots.",
        timeout=LIVE_MS,
    )
    expect(dev.locator("#post-title")).to_be_disabled()
    expect(aisha.locator("#post-title")).to_be_enabled()
    assert contexts.errors == []


def test_without_javascript_dots_and_reports_still_work(contexts: Contexts, server: Server) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    lead = Lead(server, board)
    post_via_api(server, code, "Aisha", "Benches by the bus stop")
    lead.session(phase="prioritise", dot_budget=2)
    plain = contexts.new(PHONE, java_script_enabled=False)
    join_by_page(plain, code, "Dev")
    expect(plain.locator("#session-phase")).to_have_text("Prioritising: place your 2 dots")
    expect(plain.locator("#composer-closed")).to_have_text(
        "New posts are paused while everyone prioritises."
    )
    card(plain, "Benches by the bus stop").locator("button.dot-place").click()
    expect(plain.locator("#session-dots")).to_have_text("You have 1 of 2 dots left")
    benches = card(plain, "Benches by the bus stop")
    expect(benches.locator(".dot-status")).to_have_text("1 dot · Your dots here: 1")
    benches.locator("button.dot-take-back").click()
    expect(plain.locator("#session-dots")).to_have_text("You have 2 of 2 dots left")

    benches = open_card(plain, card(plain, "Benches by the bus stop"))
    benches.locator("details.report-box summary").click()
    benches.get_by_label("Spam").check()
    benches.locator("button.report-send").click()
    expect(plain.locator(".notice-info[role=alert]")).to_have_text(
        "Thanks — a facilitator will look at it"
    )
    benches = open_card(plain, card(plain, "Benches by the bus stop"))
    benches.locator("details.report-box summary").click()
    benches.get_by_label("Spam").check()
    benches.locator("button.report-send").click()
    expect(plain.locator(".notice-error")).to_have_text("You have already reported this post.")
    assert not contexts.errors, contexts.errors
