"""Issue 6 on the residents' phones, in Debian's Chromium: closing the loop. A group takes
the repair café to the council; every phone follows its proposal on the idea's card, live,
and the council's decision comes back to the card. People who supported the idea hear the
news the next time they open the board; people who did not, do not."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import requests
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
    real_errors,
    send_proposal,
    wait_live,
)
from tests.e2e.conftest import Server, join

pytestmark = pytest.mark.browser

#: "Live": no reload, within a few seconds.
LIVE_MS = 5_000
IDEA = "Repair café in the empty shop"


def op() -> str:
    return os.urandom(8).hex()


def card(page: Page, title: str = IDEA) -> Locator:
    """The confirmed card with this title on a board page."""
    return page.locator(
        "#feed article.post[data-post-id]",
        has=page.locator("h3.post-title", has_text=title),
    )


def phone_grade(page: Page) -> None:
    """Zero axe violations, nothing wider than the phone, every target at least 44 px."""
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(SMALL_TARGETS) == []


def reopen(contexts: Contexts, phone: int, code: str) -> Page:
    """The same phone (its cookies and storage) opening the board again, in a fresh page."""
    page = contexts.opened[phone].new_page()
    page.on("pageerror", lambda error: contexts.errors.append(str(error)))
    page.on(
        "console",
        lambda message: contexts.errors.append(message.text) if message.type == "error" else None,
    )
    page.goto(f"/b/{code}")
    wait_live(page)
    return page


def aisha_on(server: Server, code: str) -> BoardApi:
    """The repair café's coordinator, over the API."""
    return BoardApi(server, code, join(server, code, "Aisha")["token"])


def record(server: Server, token: str, proposal_id: int, **body: Any) -> None:
    """A council officer records where the proposal is (no op id: officers send it once)."""
    done = requests.post(
        f"{server.url}/api/v1/officer/proposals/{proposal_id}/transitions",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert done.ok, done.text


def test_the_councils_decision_comes_back_to_the_card_and_to_the_supporters(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    code = new_board(server)["board"]["code"]
    aisha = aisha_on(server, code)
    idea = aisha("POST", "posts", kind="idea", title=IDEA, body="Fix things together")["post"]
    aisha("POST", f"posts/{idea['id']}/group")  # Aisha is in first: she coordinates

    # Bea supports the idea on her phone, then puts the phone away: a visit recorded.
    bea = contexts.new(PHONE)
    join_by_page(bea, code, "Bea")
    wait_live(bea)
    support = card(bea).locator("button.support")
    support.click()
    expect(support).to_have_attribute("aria-pressed", "true")
    expect(support).not_to_have_class(re.compile(r"is-sending"))  # the server has it
    expect(card(bea).locator(".support-count")).to_have_text("1")
    bea.close()

    # Dev opens the board too, without supporting anything, and puts the phone away.
    dev = contexts.new(PHONE)
    join_by_page(dev, code, "Dev")
    wait_live(dev)
    expect(card(dev)).to_have_count(1)
    dev.close()

    # Eve is in the group; Carl is not. Both keep the board open.
    eve = contexts.new(PHONE)
    join_by_page(eve, code, "Eve")
    wait_live(eve)
    open_card(eve, card(eve)).locator("button.im-in").click()
    expect(card(eve).locator("button.leave")).to_be_visible()
    carl = contexts.new(PHONE)
    join_by_page(carl, code, "Carl")
    wait_live(carl)
    expect(card(carl).locator(".card-proposal")).to_have_count(0)

    # Aisha promotes the idea: the group sees the draft, everyone else nothing yet.
    proposal = aisha("POST", f"posts/{idea['id']}/proposal")["proposal"]
    drafting = card(eve).locator(".card-proposal[data-state=draft]")
    expect(drafting.locator(".card-proposal-line")).to_have_text(
        "The group is drafting a proposal", timeout=LIVE_MS
    )
    expect(drafting.locator("a.card-proposal-link")).to_have_attribute(
        "href", f"/b/{code}/proposals/{proposal['id']}"
    )
    aisha(
        "PATCH",
        f"proposals/{proposal['id']}",
        short_summary="A monthly repair café",
        asks=["officer_time"],
        route="ward_panel",
        what_we_want="Fix things together once a month",
        options="Do nothing, or run it monthly",
    )
    aisha(
        "POST",
        f"proposals/{proposal['id']}/contact",
        name="Aisha",
        email="aisha@example.org",
        consent=True,
    )
    expect(card(carl).locator(".card-proposal")).to_have_count(0)  # still a draft
    aisha("POST", f"proposals/{proposal['id']}/submit")
    line = card(carl).locator(".card-proposal .card-proposal-line")
    expect(line).to_have_text("Proposal to the council: submitted", timeout=LIVE_MS)
    expect(card(eve).locator(".card-proposal-line")).to_have_text(
        "Proposal to the council: submitted", timeout=LIVE_MS
    )

    # The council: received, under review, then the decision, all live on Carl's phone.
    officer = server.officer_token()
    record(server, officer, proposal["id"], to="received", note="Logged as WP-2026-114")
    expect(line).to_have_text("Proposal to the council: received", timeout=LIVE_MS)
    record(server, officer, proposal["id"], to="under_review")
    expect(line).to_have_text("Proposal to the council: under review", timeout=LIVE_MS)
    record(
        server,
        officer,
        proposal["id"],
        to="decided",
        decision="accepted_with_conditions",
        decision_date="2026-12-03",
        decision_maker="Westcliff Ward Panel",
        decision_reasons="Strong local support and a clear plan.",
        conditions="PAT testing certificate before opening.",
        alternatives_rejected="Running it in the library (no space on Saturdays).",
        minutes_url="https://council.example.org/minutes/wp-2026-12-03",
    )
    decided = card(carl).locator(".card-proposal[data-state=decided]")
    expect(decided).to_have_attribute("data-outcome", "accepted_with_conditions", timeout=LIVE_MS)
    expect(decided.locator("h4.card-decision-heading")).to_have_text(
        "Council decision: Accepted with conditions"
    )
    expect(decided.locator(".card-decision-meta")).to_have_text(
        "Decided on 3 December 2026 by Westcliff Ward Panel"
    )
    expect(decided.locator(".card-decision-reasons")).to_have_text(
        "Why: Strong local support and a clear plan."
    )
    expect(decided.locator(".card-decision-conditions")).to_have_text(
        "Conditions: PAT testing certificate before opening."
    )
    expect(decided.locator("a.card-proposal-link")).to_have_attribute(
        "href", f"/b/{code}/proposals/{proposal['id']}"
    )
    expect(carl.locator("#announcer")).to_have_text(
        f"The council has decided on “{IDEA}”: accepted with conditions.", timeout=LIVE_MS
    )
    # Carl did not support the idea: the card and the announcement, no note for him.
    expect(carl.locator("#notices .notice-decision")).to_have_count(0)
    expect(card(eve).locator("h4.card-decision-heading")).to_have_text(
        "Council decision: Accepted with conditions", timeout=LIVE_MS
    )

    # Bea opens the board again: the news on an idea she supported, at the top.
    bea = reopen(contexts, 0, code)
    news = bea.locator("#notices li.board-notice.notice-decision")
    expect(news).to_have_count(1)
    expect(news.locator("p")).to_have_text(
        f"News on an idea you supported: the council decided on “{IDEA}”: accepted with conditions."
    )
    expect(news.locator("a.notice-link")).to_have_attribute("href", f"#post-{idea['id']}")
    expect(card(bea).locator("h4.card-decision-heading")).to_have_text(
        "Council decision: Accepted with conditions"
    )
    bea.screenshot(path=screenshots / "board-360-decision.png", full_page=True)
    phone_grade(bea)

    # From the note to the card, by keyboard; then dismissed, and not back on a reload.
    news.locator("a.notice-link").focus()
    bea.keyboard.press("Enter")
    expect(bea).to_have_url(f"{server.url}/b/{code}#post-{idea['id']}")
    news.locator("button.notice-dismiss").click()
    expect(bea.locator("#notices .notice-decision")).to_have_count(0)
    expect(bea.locator("#notices")).to_be_hidden()
    bea.reload()
    wait_live(bea)
    expect(card(bea).locator(".card-proposal[data-state=decided]")).to_have_count(1)
    expect(bea.locator("#notices .notice-decision")).to_have_count(0)

    # Dev also visited before the decision, but did not support the idea: no note.
    dev = reopen(contexts, 1, code)
    expect(card(dev).locator("h4.card-decision-heading")).to_have_text(
        "Council decision: Accepted with conditions"
    )
    expect(dev.locator("#notices .notice-decision")).to_have_count(0)
    assert real_errors(contexts) == []


def test_the_server_drawn_card_shows_the_decision_without_javascript(
    contexts: Contexts, server: Server
) -> None:
    code = new_board(server)["board"]["code"]
    aisha = aisha_on(server, code)
    idea = aisha("POST", "posts", kind="idea", title=IDEA)["post"]
    other = aisha("POST", "posts", kind="idea", title="Benches on the seafront")["post"]
    aisha("POST", f"posts/{idea['id']}/group")
    aisha("POST", f"posts/{other['id']}/group")
    proposal = aisha("POST", f"posts/{idea['id']}/proposal")["proposal"]
    send_proposal(aisha, proposal["id"])
    aisha("POST", f"posts/{other['id']}/proposal")  # a draft: only for the group
    officer = server.officer_token()
    record(server, officer, proposal["id"], to="received")
    record(
        server,
        officer,
        proposal["id"],
        to="decided",
        decision="declined",
        decision_date="2026-12-03",
        decision_maker="Westcliff Ward Panel",
        decision_reasons="No money left this year. " * 10,
    )

    page = contexts.new(PHONE, java_script_enabled=False)
    join_by_page(page, code, "Fran")
    decided = card(page).locator(".card-proposal[data-state=decided]")
    expect(decided).to_have_attribute("data-outcome", "declined")
    expect(decided.locator("h4.card-decision-heading")).to_have_text("Council decision: Declined")
    expect(decided.locator(".card-decision-meta")).to_have_text(
        "Decided on 3 December 2026 by Westcliff Ward Panel"
    )
    reasons = decided.locator(".card-decision-reasons").inner_text()
    assert reasons.startswith("Why: No money left this year.") and reasons.endswith("…")
    assert len(reasons) < 170
    expect(decided.locator(".card-decision-conditions")).to_have_count(0)
    expect(decided.locator("a.card-proposal-link")).to_contain_text("More about the decision")
    # Fran is not in the benches group: its draft is not on her card.
    expect(card(page, "Benches on the seafront").locator(".card-proposal")).to_have_count(0)
