"""Issue 5's first slice in Debian's Chromium: hide and restore live on every screen, the
public summary, the facilitator console, co-facilitator links that can be withdrawn."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from board.js_strings import JS_STRINGS
from board.models import MODERATION_REASONS
from board.web.pages import REASON_COUNTS, REASON_LABELS
from tests.browser.conftest import (
    PHONE,
    PROJECTOR,
    SMALL_TARGETS,
    Contexts,
    join_by_page,
    new_board,
    open_card,
    post_via_api,
    real_errors,
    wait_live,
)
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser

#: "Live": no reload, within a few seconds.
LIVE_MS = 5_000
SPAM = "Buy my stuff cheap"
IDEA = "Repair café in the empty shop"


def signed_in(contexts: Contexts, enter_url: str, viewport: dict[str, int] = PROJECTOR) -> Page:
    """A new browser that opened a personal link (the facilitator's, or a co-facilitator's)."""
    page = contexts.new(viewport)
    page.goto(enter_url.removeprefix(contexts.server.url))
    page.wait_for_selector("#board")
    return page


def open_projector(contexts: Contexts, board: dict) -> Page:
    projector = signed_in(contexts, board["enter_url"])
    projector.goto(f"/b/{board['board']['code']}/projector")
    projector.wait_for_selector("#projector")
    return projector


def card(page: Page, title: str) -> Locator:
    """The card with this title on a board page or the projector."""
    return page.locator(
        "#feed article.post[data-post-id]", has=page.locator(".post-title", has_text=title)
    )


def phone_grade(page: Page, axe: Axe) -> None:
    """Zero axe violations, nothing wider than the phone, every target at least 44 px."""
    result = axe.run(page)
    assert result.violations_count == 0, result.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(SMALL_TARGETS) == []


def test_every_reason_has_words_on_the_page_and_in_the_scripts() -> None:
    for reason in MODERATION_REASONS:
        key = re.sub(r"[^a-z0-9]+", "_", reason.lower())
        assert reason in REASON_LABELS and reason in REASON_COUNTS, reason
        assert f"reason_{key}" in JS_STRINGS and f"reason_count_{key}" in JS_STRINGS, reason


def test_hide_and_restore_reach_every_screen_live(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    post_via_api(server, code, "Aisha", IDEA)
    lead = signed_in(contexts, board["enter_url"])
    aisha, dev = contexts.new(PHONE), contexts.new(PHONE)
    join_by_page(aisha, code, "Trader")
    join_by_page(dev, code, "Dev")
    projector = open_projector(contexts, board)
    phones_and_projector = (aisha, dev, projector)
    for page in (lead, *phones_and_projector):
        wait_live(page)
    # Nothing is hidden yet: no summary anywhere.
    for page in (lead, *phones_and_projector):
        expect(page.locator("#moderation-summary")).to_be_hidden()

    aisha.fill("#post-title", SPAM)
    aisha.click("#composer button[type=submit]")
    for page in (lead, *phones_and_projector):
        expect(card(page, SPAM)).to_have_count(1, timeout=LIVE_MS)
    # Residents have no moderation tools.
    expect(aisha.locator(".moderation-box")).to_have_count(0)

    spam = open_card(lead, card(lead, SPAM))
    hide = spam.locator("button.hide")
    expect(hide).to_have_attribute("aria-expanded", "false")
    expect(spam.locator(".hide-form")).to_be_hidden()
    hide.click()
    expect(hide).to_have_attribute("aria-expanded", "true")
    reason = spam.locator(".hide-form select[name=reason]")
    expect(reason).to_be_focused()
    expect(reason.locator("option")).to_have_text(
        ["Spam", "Offensive", "Off-topic", "Personal information", "Duplicate"]
    )
    reason.select_option("spam")
    spam.locator(".hide-form input[name=note]").fill("Selling, not an idea for the street")
    spam.locator("button.hide-send").click()

    for page in phones_and_projector:
        expect(card(page, SPAM)).to_have_count(0, timeout=LIVE_MS)
        expect(card(page, IDEA)).to_have_count(1)
    for page in (aisha, dev, projector, lead):
        expect(page.locator("#moderation-summary")).to_have_text(
            "1 post hidden by facilitators: 1 spam", timeout=LIVE_MS
        )
    # The facilitator still sees it, marked, with Restore ready under the keyboard focus.
    expect(spam).to_have_class(re.compile(r"\bis-hidden\b"))
    expect(spam.locator(".hidden-note")).to_have_text("Hidden: Spam")
    expect(spam.locator("button.hide")).to_have_count(0)
    expect(spam.locator("button.restore")).to_be_focused()
    # Nobody else can open it: gone for residents, on reload too.
    dev.reload()
    wait_live(dev)
    expect(card(dev, SPAM)).to_have_count(0)
    expect(dev.locator("#moderation-summary")).to_have_text("1 post hidden by facilitators: 1 spam")

    # Another card's Hide form, opened and closed with the keyboard.
    other = open_card(lead, card(lead, IDEA))
    other.locator("button.hide").focus()
    lead.keyboard.press("Enter")
    expect(other.locator(".hide-form")).to_be_visible()
    result = Axe().run(lead)
    assert result.violations_count == 0, result.generate_report()
    lead.keyboard.press("Escape")
    expect(other.locator(".hide-form")).to_be_hidden()
    expect(other.locator("button.hide")).to_be_focused()

    # The facilitator's board with a hidden post, on a phone: phone-grade.
    lead.set_viewport_size(PHONE)
    phone_grade(lead, Axe())
    lead.screenshot(path=screenshots / "board-hidden-post-360.png", full_page=True)
    lead.set_viewport_size(PROJECTOR)

    open_card(lead, spam).locator("button.restore").click()
    for page in phones_and_projector:
        expect(card(page, SPAM)).to_have_count(1, timeout=LIVE_MS)
    for page in (lead, *phones_and_projector):
        expect(page.locator("#moderation-summary")).to_be_hidden(timeout=LIVE_MS)
    expect(spam).not_to_have_class(re.compile(r"\bis-hidden\b"))
    expect(spam.locator(".hidden-note")).to_have_count(0)
    expect(spam.locator("button.hide")).to_be_focused()
    # Restored whole: the resident can support it again.
    card(dev, SPAM).locator("button.support").click()
    expect(card(aisha, SPAM).locator(".support-count")).to_have_text("1", timeout=LIVE_MS)
    assert real_errors(contexts) == []


def test_console_invites_a_co_facilitator_and_withdraws_the_link(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server, facilitator_name="Priya")
    code = board["board"]["code"]
    post_via_api(server, code, "Aisha", IDEA)
    spam_id = post_via_api(server, code, "Trader", SPAM)
    hidden = requests.post(
        f"{server.url}/api/v1/boards/{code}/posts/{spam_id}/hide",
        json={"op_id": os.urandom(8).hex(), "reason": "spam", "note": "Selling"},
        headers={"Authorization": f"Bearer {board['token']}"},
        timeout=5,
    )
    assert hidden.status_code == 200, hidden.text
    axe = Axe()

    lead = signed_in(contexts, board["enter_url"])
    lead.click(".invite a.console-link")
    expect(lead).to_have_url(re.compile(rf"/b/{code}/facilitate$"))
    expect(lead.locator("h1")).to_have_text("Westcliff 2030")
    expect(lead.locator("#moderation-summary")).to_have_text(
        "1 post hidden by facilitators: 1 spam"
    )
    expect(lead.locator(".hidden-post")).to_have_count(1)
    expect(lead.locator(".hidden-post")).to_contain_text(SPAM)

    lead.fill("#co-name", "Sam (council)")
    lead.click(".invite-form button[type=submit]")
    link_field = lead.locator("#new-facilitator-link")
    expect(link_field).to_have_value(re.compile(rf"^{re.escape(server.url)}/b/{code}/enter/"))
    link = link_field.input_value()
    sam = lead.locator(".facilitator", has_text="Sam (council)")
    expect(sam.locator("button.revoke")).to_have_text("Withdraw link")
    expect(lead.locator(".facilitator", has_text="Priya").locator("button.revoke")).to_have_count(0)
    log = lead.locator(".log-table tbody tr")
    expect(log).to_have_count(2)
    expect(log.nth(0)).to_contain_text("Invited a co-facilitator")
    expect(log.nth(0)).to_contain_text("Sam (council)")
    expect(log.nth(1)).to_contain_text("Hid a post")
    expect(log.nth(1)).to_contain_text(SPAM)
    expect(log.nth(1)).to_contain_text("Spam")
    expect(log.nth(1)).to_contain_text("Selling")

    csv_href = lead.locator("a.csv-link").get_attribute("href")
    assert csv_href == f"/api/v1/boards/{code}/moderation?format=csv"
    csv = lead.context.request.get(csv_href)
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    assert csv.text().splitlines()[0] == "at,facilitator,action,post_id,participant_id,reason,note"
    assert ",Priya,hide," in csv.text() and ",spam,Selling" in csv.text()

    lead.screenshot(path=screenshots / "facilitate-1280.png", full_page=True)
    result = axe.run(lead)
    assert result.violations_count == 0, result.generate_report()
    # The link is shown once: not again on the next visit.
    lead.reload()
    expect(lead.locator("#new-facilitator-link")).to_have_count(0)

    # Sam opens their link on a phone: the board, then the console, both theirs.
    co = signed_in(contexts, link, PHONE)
    expect(co.locator("#board")).to_have_attribute("data-role", "facilitator")
    expect(card(co, SPAM).locator(".hidden-note")).to_have_text("Hidden: Spam")
    co.goto(f"/b/{code}/facilitate")
    expect(co.locator("#team-heading")).to_be_visible()
    # Nobody can withdraw the board creator's link, nor their own.
    expect(co.locator(".team-list button.revoke")).to_have_count(0)
    phone_grade(co, axe)
    co.goto(f"/b/{code}")
    wait_live(co)

    # Priya withdraws Sam's link.
    lead.locator(".facilitator", has_text="Sam (council)").locator("button.revoke").click()
    expect(sam.locator(".facilitator-status")).to_have_text("Link withdrawn")
    expect(sam.locator("button.revoke")).to_have_count(0)
    expect(log.nth(0)).to_contain_text("Withdrew a co-facilitator\u2019s link")

    # Sam's open board hears it at once: the notice, and no more facilitator tools.
    expect(co.locator("#connection")).to_contain_text(
        "A facilitator has withdrawn your link", timeout=LIVE_MS
    )
    expect(co.locator(".moderation-box")).to_have_count(0)
    expect(card(co, SPAM)).to_have_count(0)
    # Sam's next page load is refused, and the browser forgets the withdrawn link...
    refused = co.reload()
    assert refused is not None and refused.status == 403
    expect(co.locator("h1")).to_have_text("Your link has been withdrawn")
    result = axe.run(co)
    assert result.violations_count == 0, result.generate_report()
    co.click("a.join-again")
    expect(co).to_have_url(re.compile(rf"/b/{code}/join$"))
    # ...the link itself opens nothing, and its token is refused by the API too.
    gone = co.goto(link.removeprefix(server.url))
    assert gone is not None and gone.status == 404
    token = link.rsplit("/", 1)[-1]
    api = requests.get(
        f"{server.url}/api/v1/boards/{code}/snapshot",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert api.status_code == 403 and api.json()["error"]["code"] == "access_revoked"
    assert real_errors(contexts) == []


def test_without_javascript_a_facilitator_hides_from_the_board_and_restores_from_the_console(
    contexts: Contexts, server: Server
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    spam_id = post_via_api(server, code, "Trader", SPAM)
    lead = contexts.new(PROJECTOR, java_script_enabled=False)
    lead.goto(board["enter_url"].removeprefix(server.url))
    spam = card(lead, SPAM)
    # No script to open it: the form is simply there.
    expect(spam.locator("button.hide")).to_be_hidden()
    open_card(lead, spam)
    spam.locator("select[name=reason]").select_option("off-topic")
    spam.locator("button.hide-send").click()
    expect(lead).to_have_url(re.compile(rf"/b/{code}#post-{spam_id}$"))
    expect(card(lead, SPAM).locator(".hidden-note")).to_have_text("Hidden: Off-topic")
    expect(lead.locator("#moderation-summary")).to_have_text(
        "1 post hidden by facilitators: 1 off-topic"
    )
    resident = contexts.new(PHONE, java_script_enabled=False)
    join_by_page(resident, code, "Dev")
    expect(card(resident, SPAM)).to_have_count(0)
    expect(resident.locator("#moderation-summary")).to_have_text(
        "1 post hidden by facilitators: 1 off-topic"
    )
    # A resident cannot use the facilitators' form, or their console.
    refused = resident.goto(f"/b/{code}/facilitate")
    assert refused is not None and refused.status == 403

    lead.goto(f"/b/{code}/facilitate")
    lead.locator(f"#hidden-{spam_id} button.restore").click()
    expect(lead).to_have_url(re.compile(rf"/b/{code}/facilitate#hidden$"))
    expect(lead.locator("#hidden")).to_contain_text("No posts are hidden.")
    expect(lead.locator(".log-table tbody tr").nth(0)).to_contain_text("Restored a post")
    resident.goto(f"/b/{code}")
    expect(card(resident, SPAM)).to_have_count(1)
    expect(resident.locator("#moderation-summary")).to_be_hidden()
    assert real_errors(contexts) == []


def test_a_phone_that_opened_after_posts_were_hidden_keeps_the_summary_right(
    contexts: Contexts, server: Server
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    lead = {"Authorization": f"Bearer {board['token']}"}

    def act(method: str, path: str, **body: str) -> None:
        done = requests.request(
            method,
            f"{server.url}/api/v1/boards/{code}/{path}",
            json={"op_id": os.urandom(8).hex(), **body},
            headers=lead,
            timeout=5,
        )
        assert done.ok, done.text

    spam = post_via_api(server, code, "Trader", SPAM)
    stray = post_via_api(server, code, "Wanderer", "My cat's birthday party")
    act("POST", f"posts/{spam}/hide", reason="spam")
    act("POST", f"posts/{stray}/hide", reason="off-topic")
    phone = contexts.new(PHONE)
    join_by_page(phone, code, "Dev")
    wait_live(phone)
    summary = phone.locator("#moderation-summary")
    expect(summary).to_have_text("2 posts hidden by facilitators: 1 off-topic, 1 spam")

    # Restored: the phone never knew why it was hidden, and still counts it right.
    act("POST", f"posts/{spam}/restore")
    expect(card(phone, SPAM)).to_have_count(1, timeout=LIVE_MS)
    expect(summary).to_have_text("1 post hidden by facilitators: 1 off-topic", timeout=LIVE_MS)
    # A hidden post deleted leaves the count too, although the phone never saw it.
    act("DELETE", f"posts/{stray}")
    expect(summary).to_be_hidden(timeout=LIVE_MS)
    assert real_errors(contexts) == []
