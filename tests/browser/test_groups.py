"""Issue 4 in Debian's Chromium: offers, "I can help", "I'm in", the group page, offers."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import (
    PHONE,
    SMALL_TARGETS,
    Contexts,
    join_by_page,
    new_board,
    open_card,
    wait_live,
)
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser

#: "Live" on the other phone: no reload, within a few seconds.
LIVE_MS = 5_000


def card(page: Page, title: str) -> Locator:
    """The confirmed card with this title on a board page."""
    return page.locator(
        "#feed article.post[data-post-id]",
        has=page.locator("h3.post-title", has_text=title),
    )


def post(page: Page, kind: str, title: str, availability: str = "") -> None:
    """Post from the composer, as a resident does."""
    page.check(f"#composer input[name=kind][value={kind}]")
    page.fill("#post-title", title)
    if availability:
        page.fill("#post-availability", availability)
    page.click("#composer button[type=submit]")
    expect(card(page, title)).to_have_count(1)


def phone_grade(page: Page, axe: Axe) -> None:
    """Zero axe violations, nothing wider than the phone, every target at least 44 px."""
    result = axe.run(page)
    assert result.violations_count == 0, result.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(SMALL_TARGETS) == []


def test_tomasz_offers_bikes_helps_the_repair_cafe_and_is_in(
    contexts: Contexts, server: Server, screenshots: Path
) -> None:
    board = new_board(server, tags=["repair", "older people"])
    code = board["board"]["code"]
    axe = Axe()

    aisha = contexts.new(PHONE)
    join_by_page(aisha, code, "Aisha")
    wait_live(aisha)
    # "When?" is for offers and needs: hidden while the composer says "idea".
    expect(aisha.locator("#post-availability")).to_be_hidden()
    post(aisha, "idea", "Repair café in the empty shop")

    tomasz = contexts.new(PHONE)
    join_by_page(tomasz, code, "Tomasz")
    wait_live(tomasz)
    tomasz.check("#composer input[name=kind][value=skill]")
    expect(tomasz.locator("#post-availability")).to_be_visible()
    expect(tomasz.locator("label[for=post-availability]")).to_contain_text("When? (optional)")
    post(tomasz, "skill", "I can fix bikes", availability="Saturday mornings")
    expect(card(tomasz, "I can fix bikes").locator(".post-when")).to_have_text(
        "When: Saturday mornings"
    )
    expect(card(aisha, "I can fix bikes").locator(".post-when")).to_contain_text(
        "Saturday mornings", timeout=LIVE_MS
    )

    # Aisha's idea suggests the bike offer, and says why ("fix" and "repair" are one word).
    cafe_for_aisha = open_card(aisha, card(aisha, "Repair café in the empty shop"))
    cafe_for_aisha.locator("details.suggestions summary").click()
    suggestion = cafe_for_aisha.locator(".suggestion-list .suggestion")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text("I can fix bikes")
    expect(suggestion.locator(".suggestion-why")).to_contain_text("repair")
    expect(cafe_for_aisha.locator(".suggestion-status")).to_have_text("1 offer could help.")

    # From Tomasz's phone: "I can help" on the repair café, with the bikes offer.
    cafe = open_card(tomasz, card(tomasz, "Repair café in the empty shop"))
    can_help = cafe.locator("button.can-help")
    expect(can_help).to_have_attribute("aria-expanded", "false")
    expect(cafe.locator("form.help-form")).to_be_hidden()
    can_help.click()
    expect(cafe.locator("button.can-help")).to_have_attribute("aria-expanded", "true")
    offer = cafe.locator("form.help-form select[name=offer_id]")
    expect(offer).to_be_focused()
    expect(offer.locator("option")).to_have_text(["I can fix bikes", "Just me"])
    offer.select_option(label="I can fix bikes")
    cafe.locator("form.help-form button[type=submit]").click()
    mine = cafe.locator(".helper-list .helper")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Tomasz · I can fix bikes (Saturday mornings)")
    expect(mine.locator("button.unlink")).to_be_visible()

    # Aisha sees the helper arrive live, and hears it politely.
    helper = cafe_for_aisha.locator(".helper-list .helper")
    expect(helper).to_contain_text("Tomasz · I can fix bikes", timeout=LIVE_MS)
    expect(helper.locator("button.unlink")).to_have_count(0)  # not hers to withdraw
    expect(aisha.locator("#announcer")).to_contain_text("Tomasz can help with", timeout=LIVE_MS)
    # Her open suggestions ask again: a linked offer is no longer a suggestion.
    expect(cafe_for_aisha.locator(".suggestion-status")).to_have_text(
        "No offers on the board match this yet.", timeout=LIVE_MS
    )
    expect(suggestion).to_have_count(0)

    # "I'm in": the first one makes the group, and Tomasz coordinates it.
    cafe.locator("button.im-in").click()
    expect(cafe.locator("button.leave")).to_be_visible()
    expect(cafe.locator("a.group-link")).to_have_text("Repair café in the empty shop")
    expect(cafe_for_aisha.locator(".group-members")).to_have_text(
        "1 member: Tomasz", timeout=LIVE_MS
    )
    expect(cafe_for_aisha.locator("button.im-in")).to_be_visible()  # Aisha is not in yet
    expect(aisha.locator("#announcer")).to_contain_text("Tomasz is in", timeout=LIVE_MS)
    cafe_for_aisha.scroll_into_view_if_needed()
    aisha.screenshot(path=screenshots / "board-helpers-360.png", full_page=True)
    phone_grade(aisha, axe)
    phone_grade(tomasz, axe)

    # Aisha opens the group page from her card: members, offers, an empty thread.
    cafe_for_aisha.locator("a.group-link").click()
    aisha.wait_for_selector("#group-page")
    wait_live(aisha)
    expect(aisha.locator("#group-name")).to_have_text("Repair café in the empty shop")
    expect(aisha.locator("#member-list .member")).to_have_text(["Tomasz coordinator"])
    expect(aisha.locator("#coordinator-name")).to_have_text("Tomasz")
    expect(aisha.locator("#offer-list .helper")).to_have_text(
        ["Tomasz · I can fix bikes (Saturday mornings)"]
    )
    expect(aisha.locator("#no-messages")).to_be_visible()
    expect(aisha.locator("#message-form")).to_be_hidden()  # not a member: cannot write yet

    tomasz.goto(cafe.locator("a.group-link").get_attribute("href"))
    wait_live(tomasz)
    expect(tomasz.locator("#member-list .member")).to_have_text(["Tomasz coordinator you"])
    tomasz.fill("#message-body", "Saturday 10am at the shop? I'll bring my stand.")
    tomasz.click("#message-form button[type=submit]")
    message = "Saturday 10am at the shop? I'll bring my stand."
    expect(tomasz.locator("#message-list .message:not(.is-pending) .message-body")).to_have_text(
        [message]
    )
    # ...and Aisha, on the group page, sees it arrive without a reload.
    expect(aisha.locator("#message-list .message-body")).to_have_text([message], timeout=LIVE_MS)

    # Aisha is in too, from the group page: Tomasz sees her join live.
    aisha.click("#join-form button.im-in")
    expect(aisha.locator("#message-form")).to_be_visible()
    expect(aisha.locator("#leave-form")).to_be_visible()
    expect(tomasz.locator("#member-list .member")).to_have_text(
        ["Tomasz coordinator you", "Aisha"], timeout=LIVE_MS
    )
    expect(tomasz.locator("#hand-over-to option")).to_have_text(["Aisha"])
    aisha.fill("#message-body", "Brilliant, see you there.")
    aisha.click("#message-form button[type=submit]")
    expect(tomasz.locator("#message-list .message-body")).to_have_text(
        [message, "Brilliant, see you there."], timeout=LIVE_MS
    )
    tomasz.screenshot(path=screenshots / "group-360.png", full_page=True)
    phone_grade(tomasz, axe)
    phone_grade(aisha, axe)

    # The offers directory, from the board header: filter by kind and words, no script needed.
    aisha.click(".back a")
    aisha.wait_for_selector("#board")
    aisha.click("a.offers-link >> nth=0")
    aisha.wait_for_selector(".offers-page")
    expect(aisha.locator(".offer-list .post-title")).to_have_text(["I can fix bikes"])
    aisha.select_option("#offers-kind", "skill")
    aisha.fill("#offers-q", "bike")
    aisha.click(".offers-filters button[type=submit]")
    expect(aisha.locator(".offer-list .post-title")).to_have_text(["I can fix bikes"])
    expect(aisha.locator(".offer-list .post-when")).to_have_text("When: Saturday mornings")
    assert "kind=skill" in aisha.url and "q=bike" in aisha.url
    aisha.screenshot(path=screenshots / "offers-360.png", full_page=True)
    phone_grade(aisha, axe)
    aisha.select_option("#offers-kind", "need")
    aisha.click(".offers-filters button[type=submit]")
    expect(aisha.locator(".offer-list")).to_have_count(0)
    expect(aisha.locator(".feed-empty")).to_be_visible()

    for name in ("board-helpers-360.png", "group-360.png", "offers-360.png"):
        assert (screenshots / name).stat().st_size > 10_000
    assert not contexts.errors, contexts.errors


def test_anonymous_people_choose_a_name_or_stay_anonymous_and_can_leave(
    contexts: Contexts, server: Server
) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    author = contexts.new(PHONE)
    join_by_page(author, code, "Priya")
    wait_live(author)
    post(author, "idea", "Walking group for the park")

    people = []
    for _ in range(2):
        phone = contexts.new(PHONE)
        phone.goto(f"/b/{code}/join")
        phone.check("#anonymous")
        phone.click("button[type=submit]")
        phone.wait_for_selector("#board")
        wait_live(phone)
        people.append(phone)
    kemi, quiet = people

    # The first "I'm in" offers a name first; Kemi gives one, so she is named everywhere.
    idea = open_card(kemi, card(kemi, "Walking group for the park"))
    expect(idea.locator(".join-name")).to_be_hidden()
    idea.locator("button.im-in").click()
    name = idea.locator(".join-name input")
    expect(name).to_be_visible()
    expect(name).to_be_focused()
    name.fill("Kemi")
    idea.locator("button.im-in").click()
    expect(idea.locator("button.leave")).to_be_visible()
    for_author = card(author, "Walking group for the park")
    expect(for_author.locator(".group-members")).to_have_text("1 member: Kemi", timeout=LIVE_MS)

    # The other stays anonymous: counted, not named.
    other = open_card(quiet, card(quiet, "Walking group for the park"))
    other.locator("button.im-in").click()
    expect(other.locator(".join-name input")).to_be_focused()
    other.locator("button.im-in").click()
    expect(other.locator("button.leave")).to_be_visible()
    expect(for_author.locator(".group-members")).to_have_text(
        "2 members: Kemi, 1 anonymous member", timeout=LIVE_MS
    )

    # With the keyboard: "I can help" opens, Escape closes and gives the focus back.
    can_help = other.locator("button.can-help")
    can_help.focus()
    quiet.keyboard.press("Enter")
    expect(other.locator("form.help-form select")).to_be_focused()
    quiet.keyboard.press("Escape")
    expect(other.locator("form.help-form")).to_be_hidden()
    expect(can_help).to_be_focused()
    # "Just me" (no offers of their own), then withdrawn.
    quiet.keyboard.press("Enter")
    expect(other.locator("form.help-form select option")).to_have_text(["Just me"])
    other.locator("form.help-form button[type=submit]").click()
    expect(for_author.locator(".helper-list .helper")).to_have_text(
        ["Anonymous · just me"], timeout=LIVE_MS
    )
    other.locator("button.unlink").click()
    expect(for_author.locator(".helpers")).to_be_hidden(timeout=LIVE_MS)

    # Leaving: the count goes down on every phone.
    other.locator("button.leave").click()
    expect(other.locator("button.im-in")).to_be_visible()
    expect(for_author.locator(".group-members")).to_have_text("1 member: Kemi", timeout=LIVE_MS)
    assert not contexts.errors, contexts.errors


def test_without_javascript_every_form_still_works(contexts: Contexts, server: Server) -> None:
    board = new_board(server)
    code = board["board"]["code"]
    author = contexts.new(PHONE)
    join_by_page(author, code, "Aisha")
    wait_live(author)
    post(author, "need", "Lifts to the surgery on Tuesdays", availability="Tuesday mornings")

    plain = contexts.new(PHONE, java_script_enabled=False)
    join_by_page(plain, code, "Dev")
    need = card(plain, "Lifts to the surgery on Tuesdays")
    expect(need.locator(".post-when")).to_have_text("When: Tuesday mornings")
    # No script: the "I can help" form is simply there (its opener is a script's button).
    expect(need.locator("button.can-help")).to_be_hidden()
    open_card(plain, need)
    need.locator("form.help-form button[type=submit]").click()
    need = card(plain, "Lifts to the surgery on Tuesdays")
    expect(need.locator(".helper-list .helper")).to_contain_text("Dev · just me")
    expect(card(author, "Lifts to the surgery on Tuesdays").locator(".helper")).to_contain_text(
        "Dev · just me", timeout=LIVE_MS
    )

    post_plain = plain.locator("#composer")
    post_plain.locator("input[name=kind][value=idea]").check()
    plain.fill("#post-title", "Community fridge")
    plain.click("#composer button[type=submit]")
    fridge = open_card(plain, card(plain, "Community fridge"))
    fridge.locator("button.im-in").click()
    fridge = card(plain, "Community fridge")
    expect(fridge.locator("button.leave")).to_be_visible()
    fridge.locator("a.group-link").click()
    plain.wait_for_selector("#group-page")
    plain.fill("#message-body", "Who has a spare fridge?")
    plain.click("#message-form button[type=submit]")
    expect(plain.locator("#message-list .message-body")).to_have_text(["Who has a spare fridge?"])
    plain.fill("#group-new-name", "Fridge friends")
    plain.click("#rename-form button[type=submit]")
    expect(plain.locator("#group-name")).to_have_text("Fridge friends")
    plain.click("#leave-form button[type=submit]")
    expect(plain.locator("#group-closed")).to_be_visible()
    assert not contexts.errors, contexts.errors
