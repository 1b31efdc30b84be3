"""Issue 6 in Debian's Chromium: a group takes its idea to the council and the answer
comes back live."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    PHONE,
    PROJECTOR,
    Contexts,
    join_by_page,
    new_board,
    open_card,
    post_via_api,
    wait_live,
)
from tests.browser.test_groups import card, phone_grade, post
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser

#: "Live" on another phone: no reload, within a few seconds.
LIVE_MS = 5_000
IDEA = "Repair café in the empty shop on Hamlet Road"
CONTACT = "aisha.repair@example.org"


def axe_clean(page: Page, axe: Axe) -> None:
    result = axe.run(page)
    assert result.violations_count == 0, result.generate_report()


def test_a_group_sends_its_proposal_and_the_decision_comes_back_live(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server, tags=["repair", "high street"])
    code = board["board"]["code"]
    axe = Axe()

    # Aisha posts the idea and says "I'm in": the group forms, and she coordinates it.
    aisha = contexts.new(PHONE)
    join_by_page(aisha, code, "Aisha")
    wait_live(aisha)
    post(aisha, "idea", IDEA)
    idea = open_card(aisha, card(aisha, IDEA))
    idea.locator("button.im-in").click()
    expect(idea.locator("a.group-link")).to_be_visible()
    idea.locator("a.group-link").click()
    aisha.wait_for_selector("#group-page")
    wait_live(aisha)
    expect(aisha.locator("#proposal-none")).to_be_visible()

    # She agrees to be named (the box saves itself, and says what it means).
    expect(aisha.locator("#named-hint")).to_have_text(
        "Your display name will appear in the proposal sent to the council. "
        "Otherwise you are counted, not named."
    )
    expect(aisha.locator("#named-save")).to_be_hidden()
    aisha.check("#named-in-proposal")
    expect(aisha.locator("#named-status")).to_have_text(
        "Your display name will appear in the proposal."
    )

    # Tomasz is in too; he sees the proposal appear on the group page when it is made.
    tomasz = contexts.new(PHONE)
    join_by_page(tomasz, code, "Tomasz")
    wait_live(tomasz)
    open_card(tomasz, card(tomasz, IDEA)).locator("button.im-in").click()
    group_url = aisha.url
    tomasz.goto(group_url)
    wait_live(tomasz)
    expect(tomasz.locator("#promote-form")).to_be_hidden()  # not the coordinator

    aisha.click("#promote")
    aisha.wait_for_selector("#proposal-form")
    wait_live(aisha)
    proposal_url = aisha.url
    assert "/proposals/" in proposal_url
    expect(aisha.locator("#proposal-state")).to_have_text("Draft")
    expect(aisha.locator("#proposal-form [name=title]")).to_have_value(IDEA)
    expect(tomasz.locator("#proposal-link")).to_have_text(IDEA, timeout=LIVE_MS)
    expect(tomasz.locator("#proposal-link-state")).to_have_text("Draft")

    # The guided form: the amount appears only once "money" is ticked.
    form = aisha.locator("#proposal-form")
    expect(aisha.locator("#proposal-amount_gbp")).to_be_hidden()
    aisha.check("#proposal-ask-money")
    expect(aisha.locator("#proposal-amount_gbp")).to_be_visible()
    aisha.check("#proposal-ask-building_or_land")
    aisha.fill("#proposal-amount_gbp", "1,850")
    aisha.fill(
        "#proposal-what_we_want",
        "A monthly repair café: volunteers fix bikes, clothes and small appliances.",
    )
    aisha.fill("#proposal-ask_details", "A peppercorn lease on 14 Hamlet Road for a year.")
    aisha.fill("#proposal-involved", "Four volunteers, a bike stand and a sewing machine.")
    aisha.fill("#proposal-ward", "Westcliff")
    aisha.fill("#proposal-address", "14 Hamlet Road")
    aisha.fill("#proposal-latitude", "51.5412")
    aisha.fill("#proposal-longitude", "0.6891")
    aisha.fill("#proposal-capital_gbp", "1200")
    aisha.fill("#proposal-revenue_gbp", "650")
    aisha.fill("#proposal-options", "Do nothing; run it in the library; run it in the shop.")
    aisha.fill("#proposal-reasons", "Less waste, skills shared, a warm place to meet.")
    aisha.fill("#proposal-risks", "Electrical safety: PAT testing by a qualified volunteer.")
    aisha.fill("#proposal-benefits", "Households on low incomes, older residents.")
    aisha.fill("#proposal-left_out", "People who cannot come on Saturdays.")
    aisha.check("#proposal-route-ward_panel")
    summary = "A monthly repair café in the empty shop on Hamlet Road."
    aisha.fill("#proposal-short_summary", summary)
    expect(aisha.locator("#short_summary-count")).to_have_text(f"{len(summary)} of 125 characters")
    form.locator("#save-proposal").click()
    expect(aisha.locator("#save-status")).to_have_text("Saved.")

    # Sending without a named contact: the server's message is next to the contact form.
    aisha.click("#submit-proposal")
    expect(aisha.locator("#proposal-errors")).to_be_visible()
    expect(aisha.locator("#proposal-errors")).to_be_focused()
    expect(aisha.locator("#error-contact")).to_contain_text("Needs a named contact")
    expect(aisha.locator("#proposal-state")).to_have_text("Draft")
    aisha.screenshot(path=screenshots / "proposal-form-360.png", full_page=True)
    phone_grade(aisha, axe)

    # She volunteers as the contact: without the box ticked, it says why not.
    aisha.fill("#contact-email", CONTACT)
    aisha.click("#contact-save")
    expect(aisha.locator("#error-consent")).to_have_text(
        "Tick the box if you agree to be the named contact."
    )
    aisha.check("#contact-consent")
    aisha.click("#contact-save")
    expect(aisha.locator("#contact-current")).to_contain_text(CONTACT, timeout=LIVE_MS)

    aisha.click("#submit-proposal")
    expect(aisha.locator("#proposal-state")).to_have_text("Sent to the council", timeout=LIVE_MS)
    expect(aisha.locator("#proposal-form")).to_have_count(0)
    expect(aisha.locator("#announcer")).to_contain_text("Sent to the council")
    expect(tomasz.locator("#proposal-link-state")).to_have_text(
        "Sent to the council", timeout=LIVE_MS
    )

    # A resident who is not in the group reads it on their phone.
    dev = contexts.new(PHONE)
    join_by_page(dev, code, "Dev")
    dev.goto(proposal_url)
    wait_live(dev)
    expect(dev.locator("#proposal-state")).to_have_text("Sent to the council")
    expect(dev.locator("#case-asks li")).to_have_text(
        ["Money: £1,850.00", "Use of a building or land"]
    )
    expect(dev.locator("#evidence-named")).to_contain_text("Aisha")
    expect(dev.locator("#paper-link")).to_have_count(
        0
    )  # the paper is the group's and the council's
    assert CONTACT not in dev.content()
    phone_grade(dev, axe)

    # The officer signs in on the officer page and records "received" there...
    token = server.officer_token("Jo Patel, Community Grants Officer")
    officer = contexts.new(PROJECTOR)
    officer.goto("/officer")
    officer.fill("#officer-token", "officer-not-this-one")
    officer.click("#officer-sign-in button[type=submit]")
    expect(officer.locator("#sign-in-error")).to_contain_text("not valid")
    officer.fill("#officer-token", token)
    officer.click("#officer-sign-in button[type=submit]")
    expect(officer.locator("#officer-proposals .officer-item")).to_have_count(1)
    officer.click("#officer-proposals .officer-title a")
    officer.fill("#note-received", "Logged as WP-2026-114")
    officer.click("#move-received button[type=submit]")
    expect(officer.locator("#officer-state")).to_have_text("Received by the council")
    officer.screenshot(path=screenshots / "officer-1280.png", full_page=True)
    axe_clean(officer, axe)
    expect(dev.locator("#proposal-state")).to_have_text("Received by the council", timeout=LIVE_MS)
    expect(dev.locator("#proposal-history .history-note")).to_contain_text("WP-2026-114")

    # Carl has the board itself open on his phone: the idea's card will carry the answer.
    carl = contexts.new(PHONE)
    join_by_page(carl, code, "Carl")
    wait_live(carl)
    expect(card(carl, IDEA).locator(".card-proposal")).to_have_attribute("data-state", "received")

    # ...and the rest through the officer API.
    proposal_id = int(proposal_url.rstrip("/").rsplit("/", 1)[1])
    for step in (
        {"to": "under_review"},
        {
            "to": "decided",
            "decision": "accepted_with_conditions",
            "decision_date": "2026-12-03",
            "decision_maker": "Westcliff Ward Panel",
            "decision_reasons": "Strong local support and a clear plan.",
            "conditions": "A PAT testing certificate before opening.",
            "alternatives_rejected": "Running it in the library (no space on Saturdays).",
            "minutes_url": "https://council.example.org/minutes/wp-2026-12-03",
        },
    ):
        answer = requests.post(
            f"{server.url}/api/v1/officer/proposals/{proposal_id}/transitions",
            json=step,
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert answer.status_code == 200, answer.text

    # The resident's phone shows the decision without a reload.
    outcome = dev.locator("#decision-outcome")
    expect(outcome).to_have_text("Accepted with conditions", timeout=LIVE_MS)
    expect(dev.locator("#proposal-state")).to_have_text("Decided")
    expect(dev.locator("#decision-maker")).to_have_text("Westcliff Ward Panel")
    expect(dev.locator("#decision-date")).to_have_text("3 December 2026")
    expect(dev.locator("#decision-conditions")).to_contain_text("PAT testing")
    expect(dev.locator("#announcer")).to_contain_text("Accepted with conditions")
    expect(aisha.locator("#decision-outcome")).to_have_text(
        "Accepted with conditions", timeout=LIVE_MS
    )
    expect(aisha.locator("#withdraw")).to_have_count(0)  # decided is final
    on_card = card(carl, IDEA)
    expect(on_card.locator(".card-decision-outcome")).to_have_text(
        "Accepted with conditions", timeout=LIVE_MS
    )
    expect(on_card.locator(".card-decision-conditions")).to_contain_text("PAT testing")
    dev.locator("#decision").scroll_into_view_if_needed()
    dev.screenshot(path=screenshots / "proposal-decided-360.png", full_page=True)
    phone_grade(dev, axe)

    # The committee paper, from the proposal page, at 360 px.
    aisha.click("#paper-link")
    aisha.wait_for_selector("#paper")
    # Numbered by the style sheet, so the headings are the names councils use.
    headings = aisha.locator("#paper h2").all_inner_texts()
    assert headings == [
        "Summary",
        "Recommendations (what is asked)",
        "Options considered (including doing nothing)",
        "Reasons for the recommendation",
        "Financial implications",
        "Legal implications",
        "Equalities implications",
        "Wards affected",
        "Background: evidence from the board",
        "Provenance",
    ], headings
    expect(aisha.locator("#print-paper")).to_be_visible()
    aisha.screenshot(path=screenshots / "paper-360.png", full_page=True)
    axe_clean(aisha, axe)
    assert aisha.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    for name in ("proposal-form-360.png", "proposal-decided-360.png", "paper-360.png"):
        assert (screenshots / name).stat().st_size > 10_000
    # The browser logs the refusals this test asked for (sending too early, a wrong token).
    expected = {
        f"the server responded with a status of {status}"
        for status in ("422 (UNPROCESSABLE ENTITY)", "401 (UNAUTHORIZED)")
    }
    errors = [e for e in contexts.errors if not any(e.endswith(x) for x in expected)]
    assert not errors, errors


def test_a_facilitator_shapes_and_withdraws_a_draft_with_the_keyboard(
    contexts: Contexts, server: Server
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    idea = post_via_api(server, code, "Priya", "Community fridge at the library")
    made = requests.post(
        f"{server.url}/api/v1/boards/{code}/posts/{idea}/proposal",
        json={"op_id": "promote-fridge-1"},
        headers={"Authorization": f"Bearer {board['token']}"},
        timeout=5,
    )
    assert made.status_code == 201, made.text
    proposal_id = made.json()["proposal"]["id"]

    lead = contexts.new(PHONE)
    lead.goto(board["enter_url"])
    lead.goto(f"/b/{code}/proposals/{proposal_id}")
    wait_live(lead)
    expect(lead.locator("#webhooks-off")).to_be_visible()  # no council webhook on this server
    expect(lead.locator("#download-board-csv")).to_be_visible()

    # A bad map point is caught before anything is sent.
    lead.locator("#proposal-latitude").press_sequentially("1e")
    lead.click("#save-proposal")
    expect(lead.locator("#error-latitude")).to_contain_text("Enter a number")
    lead.fill("#proposal-latitude", "")
    lead.fill("#proposal-ward", "Chalkwell")
    lead.click("#save-proposal")
    expect(lead.locator("#save-status")).to_have_text("Saved.")
    expect(lead.locator("#error-latitude")).to_be_hidden()

    # The named contact, then not.
    lead.fill("#contact-name", "Sam")
    lead.fill("#contact-email", "sam.facilitator@example.org")
    lead.check("#contact-consent")
    lead.click("#contact-save")
    expect(lead.locator("#contact-current")).to_contain_text("Sam", timeout=LIVE_MS)
    lead.click("#contact-stop-form button[type=submit]")
    expect(lead.locator("#contact-current")).to_contain_text("Nobody", timeout=LIVE_MS)

    # Withdraw, confirmed with the keyboard.
    summary = lead.locator("#withdraw summary")
    summary.focus()
    lead.keyboard.press("Enter")
    lead.fill("#withdraw-note", "The library runs one now.")
    lead.locator("#withdraw-confirm").focus()
    lead.keyboard.press("Enter")
    expect(lead.locator("#proposal-state")).to_have_text("Withdrawn", timeout=LIVE_MS)
    expect(lead.locator("#proposal-form")).to_have_count(0)
    expect(lead.locator("#withdraw")).to_have_count(0)
    expect(lead.locator("#proposal-history .history-note")).to_have_text(
        "The library runs one now."
    )
    assert (
        requests.get(
            f"{server.url}/api/v1/boards/{code}/proposals/{proposal_id}",
            headers={"Authorization": f"Bearer {board['token']}"},
            timeout=5,
        ).json()["proposal"]["ward"]
        == "Chalkwell"
    )
    phone_grade(lead, Axe())
    assert not contexts.errors, contexts.errors
