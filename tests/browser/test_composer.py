"""The composer, the home page and the officer's decision form in Debian's Chromium: similar
posts offered while a title is typed, a theme per post, errors that are said, next to their
fields, and take the focus."""

from __future__ import annotations

import re
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
    post_via_api,
    real_errors,
    send_proposal,
    wait_live,
)
from tests.e2e.conftest import Server, join

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
HOME_PHONE = {"width": 360, "height": 740}
IDEA = "Repair café in the empty shop"


def card(page: Page, title: str) -> Locator:
    """The confirmed card with this title on a board page."""
    return page.locator(
        "#feed article.post[data-post-id]",
        has=page.locator("h3.post-title", has_text=title),
    )


def axe_clean(page: Page) -> None:
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def test_a_title_close_to_a_post_offers_it_and_each_post_picks_its_theme(
    contexts: Contexts, server: Server
) -> None:
    code = new_board(server, tags=["repair", "streets"])["board"]["code"]
    cafe = post_via_api(server, code, "Tomasz", IDEA, body="Fix things together")
    post_via_api(server, code, "Priya", "Benches on the high street")

    aisha = contexts.new(PHONE)
    join_by_page(aisha, code, "Aisha")
    wait_live(aisha)
    status = aisha.locator("#similar-status")
    offered = aisha.locator("#similar-list .similar-item")

    # Typing a title close to the café: it is offered, and said politely, once.
    aisha.locator("#post-title").press_sequentially("A repair cafe", delay=20)
    expect(status).to_have_text("1 similar idea is on the board: support it instead?")
    expect(status).to_have_attribute("role", "status")
    expect(offered).to_have_count(1)
    expect(offered.locator("a.similar-title")).to_have_text(IDEA)
    expect(offered.locator("a.similar-title")).to_have_attribute("href", f"#post-{cafe}")
    expect(offered.locator(".similar-count")).to_have_text("0 supporters")
    axe_clean(aisha)
    assert aisha.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert aisha.evaluate(SMALL_TARGETS) == []

    # Supporting it from there is the card's support too.
    support = offered.locator("button.similar-support")
    expect(support).to_have_accessible_name(f"Support: {IDEA}")
    support.click()
    expect(support).to_have_attribute("aria-pressed", "true")
    expect(offered.locator(".similar-count")).to_have_text("1 supporter")
    expect(card(aisha, IDEA).locator("button.support")).to_have_attribute("aria-pressed", "true")
    expect(card(aisha, IDEA).locator(".support-count")).to_have_text("1")

    # A title like nothing on the board: nothing shown, nothing said.
    aisha.fill("#post-title", "Swimming lessons for adults")
    expect(offered).to_have_count(0)
    expect(status).to_have_text("")
    expect(aisha.locator("#similar-list")).to_be_hidden()

    # Another kind than the café's: the café is not a similar offer.
    aisha.check("#composer input[name=kind][value=skill]")
    aisha.fill("#post-title", "Repair café volunteer")
    aisha.wait_for_timeout(900)
    expect(offered).to_have_count(0)
    aisha.check("#composer input[name=kind][value=idea]")
    expect(offered).to_have_count(1)

    # Posting with a theme: the next post starts with no theme, and nothing offered.
    aisha.fill("#post-title", "Bike racks by the station")
    aisha.select_option("#post-tag", "streets")
    aisha.click("#composer button[type=submit]")
    expect(card(aisha, "Bike racks by the station")).to_have_count(1)
    expect(card(aisha, "Bike racks by the station").locator(".post-tag")).to_have_text("streets")
    expect(aisha.locator("#post-tag")).to_have_value("")
    expect(aisha.locator("#post-title")).to_have_value("")
    expect(offered).to_have_count(0)
    aisha.fill("#post-title", "Planters on the pavement")
    aisha.click("#composer button[type=submit]")
    expect(card(aisha, "Planters on the pavement")).to_have_count(1)
    expect(card(aisha, "Planters on the pavement").locator(".post-tag")).to_have_count(0)
    assert real_errors(contexts) == []


def test_a_title_of_only_spaces_is_said_next_to_the_field(
    contexts: Contexts, server: Server
) -> None:
    code = new_board(server)["board"]["code"]
    aisha = contexts.new(PHONE)
    join_by_page(aisha, code, "Aisha")
    wait_live(aisha)
    error = aisha.locator("#post-title-error")
    expect(error).to_be_hidden()
    aisha.fill("#post-title", "    ")
    aisha.click("#composer button[type=submit]")
    expect(error).to_be_visible()
    expect(error).to_have_text("Write a title: a few words that say what your post is about.")
    title = aisha.locator("#post-title")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description(
        "Write a title: a few words that say what your post is about."
    )
    assert focused_id(aisha) == "post-title"
    expect(aisha.locator("#feed article.post")).to_have_count(0)
    axe_clean(aisha)
    # Typing a title takes the error away; the post goes.
    aisha.locator("#post-title").press_sequentially("Benches", delay=10)
    expect(error).to_be_hidden()
    expect(title).not_to_have_attribute("aria-invalid", "true")
    aisha.click("#composer button[type=submit]")
    expect(card(aisha, "Benches")).to_have_count(1)

    # Without JavaScript the server refuses it (422) and the composer says why, by the field,
    # with the words kept and the focus on the title.
    plain = contexts.new(PHONE, java_script_enabled=False)
    join_by_page(plain, code, "Dev")
    plain.fill("#post-body", "By the bus stop, please")
    plain.fill("#post-title", "   ")
    with plain.expect_response(lambda r: r.request.method == "POST") as answer:
        plain.click("#composer button[type=submit]")
    assert answer.value.status == 422
    plain_error = plain.locator("#post-title-error")
    expect(plain_error).to_have_text("Write a title: a few words that say what your post is about.")
    expect(plain.locator("#post-title")).to_have_attribute("aria-invalid", "true")
    expect(plain.locator("#post-body")).to_have_value("By the bus stop, please")
    assert focused_id(plain) == "post-title"
    assert real_errors(contexts) == []


def in_first_screen(page: Page, selector: str) -> bool:
    """Whether the element is wholly inside the viewport as the page opens (no scrolling)."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    return box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


@pytest.mark.parametrize("viewport", [HOME_PHONE, LAPTOP], ids=["360x740", "1366x768"])
def test_the_home_page_says_what_a_board_is_in_one_screen(
    contexts: Contexts, server: Server, viewport: dict[str, int], screenshots: Any
) -> None:
    home = contexts.new(viewport)
    home.goto("/")
    expect(home.locator("h1")).to_have_text("Share ideas, help and plans with your neighbours")
    expect(home.locator(".home-lead")).to_contain_text("A board is a shared wall")
    for part in ("h1", ".home-lead", "#code", ".home-join button[type=submit]", "#create-heading"):
        assert in_first_screen(home, part), f"{part} is below the first screen"
    home.screenshot(path=screenshots / f"home-{viewport['width']}.png")
    axe_clean(home)
    if viewport == HOME_PHONE:
        assert home.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert home.evaluate(SMALL_TARGETS) == []
    assert real_errors(contexts) == []


def test_a_wrong_code_is_announced_and_focused_with_a_way_to_try_again(
    contexts: Contexts, server: Server
) -> None:
    code = new_board(server)["board"]["code"]
    phone = contexts.new(HOME_PHONE)
    phone.goto("/")
    phone.fill("#code", "ZZZZZZ")
    with phone.expect_response(lambda r: "/join?" in r.url) as answer:
        phone.click(".home-join button[type=submit]")
    assert answer.value.status == 404
    summary = phone.locator("#join-error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("No board has that code")
    expect(summary).to_be_focused()
    assert phone.title().startswith("Error:")
    expect(phone.locator("#code")).to_have_attribute("aria-invalid", "true")
    expect(phone.locator("#code")).to_have_value("ZZZZZZ")
    axe_clean(phone)
    # The way to try again: the link takes the focus to the code, which says what is wrong.
    summary.get_by_role("link", name="Type the code again").click()
    expect(phone.locator("#code")).to_be_focused()
    expect(phone.locator("#code")).to_have_accessible_description(re.compile("No board has"))
    phone.fill("#code", code.lower())
    phone.click(".home-join button[type=submit]")
    expect(phone.locator("#display_name")).to_be_visible()

    # Starting a board with a title of only spaces: said, by the field, and focused.
    phone.goto("/")
    phone.fill("#title", "   ")
    phone.click(".home-create button[type=submit]")
    create = phone.locator("#create-error-summary")
    expect(create).to_be_focused()
    expect(create.get_by_role("link")).to_have_attribute("href", "#title")
    expect(phone.locator("#title-error")).to_have_text(
        "Write a title for the board, like “Westcliff 2030”."
    )
    expect(phone.locator("#title")).to_have_attribute("aria-invalid", "true")
    axe_clean(phone)
    assert real_errors(contexts) == []


def submitted_proposal(server: Server) -> int:
    """The repair café's group sends its proposal to the council, over the API."""
    code = new_board(server)["board"]["code"]
    aisha = BoardApi(server, code, join(server, code, "Aisha")["token"])
    idea = aisha("POST", "posts", kind="idea", title=IDEA, body="Fix things together")["post"]
    aisha("POST", f"posts/{idea['id']}/group")
    proposal = aisha("POST", f"posts/{idea['id']}/proposal")["proposal"]
    send_proposal(aisha, proposal["id"])
    return int(proposal["id"])


def test_the_decision_forms_errors_name_their_fields_and_take_the_focus(
    contexts: Contexts, server: Server
) -> None:
    proposal_id = submitted_proposal(server)
    token = server.officer_token()
    officer = contexts.new(LAPTOP)
    officer.goto("/officer")
    officer.fill("#officer-token", token)
    officer.click("#officer-sign-in button[type=submit]")
    officer.goto(f"/officer/proposals/{proposal_id}")
    officer.click("#move-received button[type=submit]")
    expect(officer.locator("#officer-state")).to_have_text("Received by the council")
    officer.fill("#decision-maker-input", "")
    with officer.expect_response(lambda r: r.request.method == "POST") as answer:
        officer.click("#move-decided button[type=submit]")
    assert answer.value.status == 422

    summary = officer.locator("#officer-error")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    assert officer.title().startswith("Error:")
    expect(summary.locator("li")).to_have_text(
        [
            "Choose the outcome of the decision",
            "Say who made the decision, for example the ward panel",
            "Give the reasons for the decision",
        ]
    )
    expect(officer.locator("#move-decided")).not_to_contain_text("Is required")
    reasons = officer.locator("#decision-reasons-input")
    expect(reasons).to_have_attribute("aria-invalid", "true")
    expect(reasons).to_have_accessible_description("Give the reasons for the decision")
    expect(officer.locator("#decision-outcome-select")).to_have_attribute("aria-invalid", "true")
    expect(officer.locator("#decision-date-input")).not_to_have_attribute("aria-invalid", "true")
    axe_clean(officer)

    # Each problem leads to its field; corrected, the decision is recorded.
    summary.get_by_role("link", name="Give the reasons for the decision").click()
    expect(reasons).to_be_focused()
    officer.select_option("#decision-outcome-select", "accepted")
    officer.fill("#decision-maker-input", "Westcliff Ward Panel")
    reasons.fill("Strong local support.")
    officer.click("#move-decided button[type=submit]")
    expect(officer.locator("#officer-state")).to_have_text("Decided")
    expect(officer.locator("#officer-error")).to_have_count(0)
    assert real_errors(contexts) == []
