"""A board with more posts than its first screen, in Debian's Chromium: a participant's
phone shows the first screen, loads the rest as it scrolls (every post once), filters and
searches through the server, and keeps every post it shows exact while others change
posts inside and outside what it holds, even while a page is on its way; back from a long
time offline it starts again from a fresh first screen and pages on from there."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.browser.conftest import (
    PROJECTOR,
    BoardApi,
    Contexts,
    join_by_page,
    new_board,
    real_errors,
    wait_live,
)
from tests.e2e.conftest import Server

pytestmark = pytest.mark.browser

#: A first screen of at most 5 newest, 2 supported, 2 of mine, 2 pinned: 40 posts page.
FIRST_SCREEN = "newest=5,supported=2,mine=2,pinned=2,pending=2,reported=2"
POSTS = 40
LIVE_MS = 5_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real server with a small first screen, so a few dozen posts need paging."""
    running = Server(
        tmp_path_factory.mktemp("paging-server"), "gevent", BOARD_FIRST_SCREEN=FIRST_SCREEN
    ).start()
    yield running
    running.stop()


class Person(BoardApi):
    """A participant who joined over the API, acting with their own token."""

    def __init__(self, server: Server, code: str, name: str) -> None:
        joined = requests.post(
            f"{server.url}/api/v1/boards/{code}/participants",
            json={"display_name": name},
            timeout=5,
        )
        super().__init__(server, code, joined.json()["token"])


class Board:
    """A board with POSTS posts (every fourth a need about parks, some about a bench)."""

    def __init__(self, server: Server) -> None:
        self.made = new_board(server, tags=["parks", "roads"])
        self.code = self.made["board"]["code"]
        self.lead = BoardApi(server, self.code, self.made["token"])
        writers = [Person(server, self.code, f"Neighbour {n}") for n in range(4)]
        self.posts: dict[int, dict[str, Any]] = {}
        self.authors: dict[int, Person] = {}
        for n in range(POSTS):
            need = n % 4 == 0
            title = f"{'Need' if need else 'Idea'} {n:02d}" + (" for a bench" if n % 7 == 3 else "")
            fields = {"kind": "need" if need else "idea", "title": title}
            made = writers[n % 4]("POST", "posts", tag="parks" if need else "roads", **fields)
            self.posts[made["post"]["id"]] = made["post"]
            self.authors[made["post"]["id"]] = writers[n % 4]
        self.others = [Person(server, self.code, f"Changer {n}") for n in range(2)]

    def newest(self) -> list[int]:
        return sorted(self.posts, reverse=True)


def phone_on(contexts: Contexts, code: str) -> Page:
    page = contexts.new()
    join_by_page(page, code, "Reader")
    wait_live(page)
    return page


def shown_ids(page: Page) -> list[int]:
    """The ids of the confirmed cards on the feed, top to bottom."""
    return [
        int(i)
        for i in page.locator("#feed article.post[data-post-id]").evaluate_all(
            "cards => cards.map((card) => card.dataset.postId)"
        )
    ]


def scroll_to_the_end(page: Page, want: int) -> None:
    """Scroll down until the feed shows `want` posts and there is nothing more to load."""
    for _ in range(20):
        if len(shown_ids(page)) >= want and page.locator("#feed-more").is_hidden():
            return
        page.mouse.wheel(0, 20_000)
        page.wait_for_timeout(300)
    raise AssertionError(f"the feed stopped at {len(shown_ids(page))} of {want} posts")


def test_first_screen_then_every_post_once_as_it_scrolls(
    contexts: Contexts, server: Server
) -> None:
    board = Board(server)
    code, posts = board.code, board.posts
    phone = phone_on(contexts, code)
    first = shown_ids(phone)
    assert 5 <= len(first) < POSTS, first
    expect(phone.locator("#feed-count")).to_have_text(f"Showing {len(first)} of {POSTS} posts")
    expect(phone.locator("#feed-more-button")).to_be_visible()
    assert phone.locator("#feed-older").count() == 0, "the no-script link gave way"

    scroll_to_the_end(phone, POSTS)
    ids = shown_ids(phone)
    assert sorted(ids) == sorted(posts), "every post, each once"
    assert ids == sorted(ids, reverse=True), "newest first"
    expect(phone.locator("#feed-count")).to_have_text(f"Showing {POSTS} of {POSTS} posts")
    assert real_errors(contexts) == []


def test_show_more_button_loads_the_next_page_from_the_keyboard(
    contexts: Contexts, server: Server
) -> None:
    phone = phone_on(contexts, Board(server).code)
    before = len(shown_ids(phone))
    phone.focus("#feed-more-button")
    phone.keyboard.press("Enter")
    expect(phone.locator("#feed article.post[data-post-id]")).to_have_count(before + 30)
    expect(phone.locator("#announcer")).to_have_text(f"Showing {before + 30} of {POSTS} posts")
    assert real_errors(contexts) == []


def test_filters_and_search_ask_the_server(contexts: Contexts, server: Server) -> None:
    board = Board(server)
    code, posts = board.code, board.posts
    phone = phone_on(contexts, code)
    held = set(shown_ids(phone))
    needs = {i for i, p in posts.items() if p["kind"] == "need"}
    assert needs - held, "some needs are not on the first screen"

    phone.select_option("#filter-kind", "need")
    expect(phone.locator("#feed article.post[data-post-id]")).to_have_count(len(needs))
    assert set(shown_ids(phone)) == needs
    expect(phone.locator("#feed-count")).to_have_text(f"Showing {len(needs)} of {len(needs)} posts")
    assert "kind=need" in phone.url

    phone.select_option("#filter-kind", "")
    phone.fill("#filter-q", "BENCH")
    benches = {i for i, p in posts.items() if "bench" in p["title"]}
    expect(phone.locator("#feed article.post[data-post-id]")).to_have_count(len(benches))
    assert set(shown_ids(phone)) == benches
    assert "q=BENCH" in phone.url

    phone.fill("#filter-q", "")
    phone.select_option("#sort", "supported")
    expect(phone.locator("#feed-count")).to_contain_text(f"of {POSTS} posts")
    assert real_errors(contexts) == []


class Relay:
    """The phone's Socket.IO WebSocket, relayed frame by frame: frames from the server
    that `hold` picks are kept back until release()."""

    def __init__(self, page: Page) -> None:
        self.upgraded = False
        self.page_acks: list[str] = []  # ack ids of the posts.page reads the phone sent
        self.hold: Any = lambda frame: False
        self.held: list[str] = []
        self.route: WebSocketRoute | None = None
        page.route_web_socket(re.compile(r"/socket\.io/"), self._relay)

    def _relay(self, route: WebSocketRoute) -> None:
        self.route = route
        server = route.connect_to_server()

        def from_page(frame: str | bytes) -> None:
            text = frame if isinstance(frame, str) else frame.decode()
            if text == "5":
                self.upgraded = True  # the Engine.IO upgrade: every packet comes this way now
            read = re.match(r'42(\d+)\["posts\.page"', text)
            if read:
                self.page_acks.append(read.group(1))
            server.send(frame)

        def from_server(frame: str | bytes) -> None:
            text = frame if isinstance(frame, str) else frame.decode()
            if self.hold(text):
                self.held.append(text)
            else:
                route.send(frame)

        route.on_message(from_page)
        server.on_message(from_server)

    def release(self) -> None:
        """Send on what was kept back, in order, and keep nothing back from now on."""
        self.hold = lambda frame: False
        assert self.route is not None
        for frame in self.held:
            self.route.send(frame)
        self.held = []


def live_phone(contexts: Contexts, code: str) -> tuple[Page, Relay]:
    """A phone whose WebSocket runs through a Relay, once it has upgraded to it."""
    page = contexts.new()
    relay = Relay(page)
    join_by_page(page, code, "Reader")
    wait_live(page)
    page.wait_for_function("() => true")  # let the upgrade's frames through
    for _ in range(50):
        if relay.upgraded:
            break
        page.wait_for_timeout(100)
    assert relay.upgraded, "the socket did not upgrade to its WebSocket"
    return page, relay


def seq_of(page: Page) -> int:
    return int(page.locator("#feed").get_attribute("data-seq") or 0)


def card_of(page: Page, post_id: int):
    return page.locator(f"#post-{post_id}")


def change(other: Person, post_id: int, words: str) -> None:
    """Someone supports a post and comments on it (neither event carries the post)."""
    other("POST", f"posts/{post_id}/support")
    other("POST", f"posts/{post_id}/comments", body=words)


def expect_changed(page: Page, post_id: int, words: str, supports: int = 1) -> None:
    card = card_of(page, post_id)
    expect(card.locator(".support-count")).to_have_text(str(supports), timeout=LIVE_MS)
    expect(card.locator(".comment")).to_have_count(1, timeout=LIVE_MS)
    expect(card.locator(".comment")).to_contain_text(words)


def test_changes_inside_and_outside_what_it_holds_all_show(
    contexts: Contexts, server: Server
) -> None:
    board = Board(server)
    phone = phone_on(contexts, board.code)
    held = shown_ids(phone)
    outside = [i for i in board.newest() if i not in held]
    changer = board.others[0]
    change(changer, held[0], "inside")
    expect_changed(phone, held[0], "inside")
    for n, post_id in enumerate(outside[-3:]):
        change(changer, post_id, f"outside {n}")
    # An edit carries the whole post: the phone takes it in at once.
    edited = outside[20]
    board.authors[edited]("PATCH", f"posts/{edited}", title="Edited far down")
    expect(card_of(phone, edited).locator(".post-title")).to_have_text("Edited far down")
    changer("POST", f"posts/{edited}/support")
    expect(card_of(phone, edited).locator(".support-count")).to_have_text("1")
    for post_id in outside[-3:]:
        expect(card_of(phone, post_id)).to_have_count(0)  # not loaded yet

    scroll_to_the_end(phone, POSTS)
    assert sorted(shown_ids(phone)) == sorted(board.posts)
    for n, post_id in enumerate(outside[-3:]):
        expect_changed(phone, post_id, f"outside {n}")
    expect(card_of(phone, edited).locator(".post-title")).to_have_text("Edited far down")
    # Still live once loaded.
    board.others[1]("POST", f"posts/{outside[-1]}/support")
    expect(card_of(phone, outside[-1]).locator(".support-count")).to_have_text("2")
    assert real_errors(contexts) == []


def answer_of(frame: str) -> dict[str, Any]:
    """The data of a posts.page ack frame (43<id>[{ok, data}])."""
    return json.loads(frame[frame.index("[") :])[0]["data"]


def test_a_page_read_before_changes_it_missed_is_brought_up_to_date(
    contexts: Contexts, server: Server
) -> None:
    board = Board(server)
    phone, relay = live_phone(contexts, board.code)
    held = set(shown_ids(phone))
    relay.hold = lambda frame: any(frame.startswith(f"43{ack}[") for ack in relay.page_acks)
    phone.click("#feed-more-button")
    phone.wait_for_function("() => true")
    for _ in range(50):
        if relay.held:
            break
        phone.wait_for_timeout(100)
    assert relay.held, "the page's answer was not seen"
    page = answer_of(relay.held[0])
    targets = [p["id"] for p in page["posts"] if p["id"] not in held][5:8]
    assert len(targets) == 3
    for n, post_id in enumerate(targets):
        change(board.others[0], post_id, f"missed {n}")
    # The phone applies those events (to posts it does not hold yet), then gets the page.
    phone.wait_for_function(
        f"() => Number(document.getElementById('feed').dataset.seq) >= {page['seq'] + 6}"
    )
    relay.release()
    for n, post_id in enumerate(targets):
        expect_changed(phone, post_id, f"missed {n}")
    assert real_errors(contexts) == []


def test_a_page_read_after_events_still_on_their_way_keeps_what_it_shows(
    contexts: Contexts, server: Server
) -> None:
    board = Board(server)
    phone, relay = live_phone(contexts, board.code)
    held = shown_ids(phone)
    next_page = [i for i in board.newest() if i not in held][:30]
    targets = next_page[10:13]
    relay.hold = lambda frame: frame.startswith(('42["event', '42["head"'))
    for n, post_id in enumerate(targets):
        change(board.others[0], post_id, f"early {n}")
    edited = targets[0]
    for title in ("First edit", "Second edit"):
        board.authors[edited]("PATCH", f"posts/{edited}", title=title)
    # The events are held back: the page read now is newer than the phone's state.
    phone.click("#feed-more-button")
    for n, post_id in enumerate(targets):
        expect_changed(phone, post_id, f"early {n}")
    title = card_of(phone, edited).locator(".post-title")
    expect(title).to_have_text("Second edit")
    assert relay.held, "the events were held back"
    # Every text the title shows from now on (a mutation's old value, and the last one).
    title.evaluate(
        """(el) => {
            window.titles = [];
            new MutationObserver((records) => {
                for (const r of records) {
                    if (r.type === "characterData") window.titles.push(r.oldValue);
                    for (const node of r.removedNodes) window.titles.push(node.textContent);
                }
                window.titles.push(el.textContent);
            }).observe(el, {subtree: true, childList: true, characterData: true,
                            characterDataOldValue: true});
        }"""
    )
    relay.release()
    phone.wait_for_timeout(1000)
    for n, post_id in enumerate(targets):
        expect_changed(phone, post_id, f"early {n}")  # not counted, nor commented, twice
    assert "First edit" not in phone.evaluate("window.titles"), "an older edit came back"
    expect(title).to_have_text("Second edit")
    board.others[1]("POST", f"posts/{targets[0]}/support")
    expect(card_of(phone, targets[0]).locator(".support-count")).to_have_text("2")
    assert sorted(set(shown_ids(phone))) == sorted(shown_ids(phone)), "each post once"
    assert real_errors(contexts) == []


def facilitator_on(contexts: Contexts, board: Board, path: str, viewport: dict[str, int]) -> Page:
    """A browser signed in with the facilitator's link, on one of the board's pages."""
    page = contexts.new(viewport)
    page.goto(board.made["enter_url"].removeprefix(contexts.server.url))
    page.wait_for_selector("#board")
    page.goto(f"/b/{board.code}/{path}")
    wait_live(page)
    return page


def test_the_console_finds_any_post_to_spotlight_or_merge_and_every_screen_follows(
    contexts: Contexts, server: Server
) -> None:
    board = Board(server)
    phone = phone_on(contexts, board.code)
    projector = facilitator_on(contexts, board, "projector", PROJECTOR)
    lead = facilitator_on(contexts, board, "facilitate", {"width": 1280, "height": 800})
    oldest, second = sorted(board.posts)[:2]
    console_post = lambda post_id: lead.locator(f"#cpost-{post_id}")  # noqa: E731
    expect(console_post(oldest)).to_have_count(0)  # not on the first screen
    expect(lead.locator("#console-posts-shown")).to_contain_text(f"of {POSTS} posts")

    lead.fill("#console-q", board.posts[oldest]["title"])
    expect(console_post(oldest)).to_be_visible()
    console_post(oldest).locator("button.spotlight-toggle").click()
    # Neither the phone nor the projector held it: each reads it from the server.
    expect(phone.locator("#spotlight")).to_have_attribute("data-post-id", str(oldest))
    expect(phone.locator(".spotlight-title")).to_have_text(board.posts[oldest]["title"])
    expect(projector.locator("#spotlight-title")).to_have_text(board.posts[oldest]["title"])

    lead.fill("#console-q", board.posts[second]["title"])
    expect(console_post(second)).to_be_visible()
    console_post(second).locator("button.merge").click()
    console_post(second).locator("select[name=into_id]").select_option(str(oldest))
    console_post(second).locator("button.merge-send").click()
    expect(console_post(second)).to_have_count(0)

    lead.fill("#console-q", "")
    lead.press("#console-q", "Enter")  # at once, not after the pause in typing
    for _ in range(5):
        if lead.locator("#console-more").is_hidden():
            break
        lead.click("#console-more")
        lead.wait_for_timeout(300)
    expect(lead.locator("#console-posts .console-post")).to_have_count(POSTS - 1)
    expect(lead.locator("#console-posts-shown")).to_have_text(
        f"Showing {POSTS - 1} of {POSTS - 1} posts"
    )
    assert real_errors(contexts) == []


def test_the_console_keeps_every_hidden_post_it_does_not_hold(
    contexts: Contexts, server: Server
) -> None:
    board = Board(server)
    old = sorted(board.posts)[3]
    lead = facilitator_on(contexts, board, "facilitate", {"width": 1280, "height": 800})
    board.lead("POST", f"posts/{old}/hide", reason="off-topic")
    expect(lead.locator(f"#hidden-{old}")).to_be_visible(timeout=LIVE_MS)  # read live
    lead.reload()
    wait_live(lead)
    hidden = lead.locator(f"#hidden-{old}")
    expect(hidden).to_be_visible()  # drawn by the server, kept though not held
    lead.wait_for_timeout(500)
    expect(hidden).to_be_visible()
    hidden.locator("button.restore").click()
    expect(hidden).to_have_count(0, timeout=LIVE_MS)
    expect(lead.locator("#hidden .hidden-empty")).to_be_visible()
    assert real_errors(contexts) == []


def test_the_projector_fills_its_grid_past_the_first_screen_and_follows_deletions(
    contexts: Contexts, server: Server
) -> None:
    board = Board(server)
    projector = facilitator_on(contexts, board, "projector", PROJECTOR)
    cards = projector.locator("#feed article.post")
    grid = int(projector.locator("#feed").get_attribute("data-max") or 0)
    assert 5 < grid < POSTS, grid
    newest = board.newest()
    expect(cards).to_have_count(grid)  # more than the first screen's 5 newest
    shown = lambda: [int(i) for i in cards.evaluate_all("cs => cs.map((c) => c.dataset.postId)")]  # noqa: E731
    assert shown() == newest[:grid]
    for post_id in newest[:3]:
        board.authors[post_id]("DELETE", f"posts/{post_id}")
    expect(projector.locator(f"#post-{newest[grid + 2]}")).to_be_visible(timeout=LIVE_MS)
    assert shown() == newest[3 : grid + 3]
    assert real_errors(contexts) == []


@pytest.fixture(scope="module")
def short_replay_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The paging server that replays at most 2 events: more missed, a fresh snapshot."""
    running = Server(
        tmp_path_factory.mktemp("short-replay-server"),
        "gevent",
        BOARD_FIRST_SCREEN=FIRST_SCREEN,
        BOARD_REPLAY_MAX="2",
    ).start()
    yield running
    running.stop()


def page_reads(page: Page) -> list[dict[str, Any]]:
    """The posts.page payloads the page sends from now on, by WebSocket or by polling."""
    sent: list[dict[str, Any]] = []

    def note(text: str | bytes | None) -> None:
        for found in re.finditer(r'42\d*\["posts\.page",(\{[^{}]*\})\]', str(text or "")):
            sent.append(json.loads(found.group(1)))

    page.on("websocket", lambda socket: socket.on("framesent", note))
    page.on("request", lambda request: "/socket.io/" in request.url and note(request.post_data))
    return sent


def test_a_fresh_snapshot_after_a_reconnect_replaces_what_it_held_and_paging_starts_again(
    browser: Browser, short_replay_server: Server
) -> None:
    server = short_replay_server
    contexts = Contexts(browser, server)
    try:
        board = Board(server)
        phone = contexts.new()
        reads = page_reads(phone)
        join_by_page(phone, board.code, "Reader")
        wait_live(phone)
        first = shown_ids(phone)
        phone.click("#feed-more-button")
        cards = phone.locator("#feed article.post[data-post-id]")
        expect(cards).to_have_count(len(first) + 30)
        held = shown_ids(phone)
        older = [i for i in held if i not in first]
        outside = [i for i in board.newest() if i not in held]
        assert outside, "some posts were never loaded"
        phone.mouse.wheel(0, -50_000)  # back to the newest, far from the feed's end

        phone.context.set_offline(True)
        expect(phone.locator("#connection")).to_contain_text("Connection lost")
        # Four events while away, more than the server replays: it sends a snapshot.
        changed = {
            first[0]: "Changed on the first screen",
            older[10]: "Changed on the older page",
            outside[0]: "Changed where it never looked",
        }
        for post_id, title in changed.items():
            board.authors[post_id]("PATCH", f"posts/{post_id}", title=title)
        deleted = first[1]
        board.authors[deleted]("DELETE", f"posts/{deleted}")
        left = sorted((i for i in board.posts if i != deleted), reverse=True)
        reads.clear()

        phone.context.set_offline(False)
        expect(phone.locator("#connection")).to_contain_text("Back online")
        fresh = phone.request.get(f"/api/v1/boards/{board.code}/snapshot").json()
        screen = sorted((p["id"] for p in fresh["posts"]), reverse=True)
        assert deleted not in screen and len(screen) < len(held), screen
        expect(cards).to_have_count(len(screen), timeout=LIVE_MS)
        phone.wait_for_timeout(500)  # nothing more comes in by itself
        assert shown_ids(phone) == screen, "the fresh first screen, not the older page"
        assert reads == [], "no page was read: the feed's end is far off"
        for post in fresh["posts"]:
            expect(card_of(phone, post["id"]).locator(".post-title")).to_have_text(post["title"])
        expect(card_of(phone, first[0]).locator(".post-title")).to_have_text(changed[first[0]])
        expect(phone.locator("#feed-count")).to_have_text(
            f"Showing {len(screen)} of {POSTS - 1} posts"
        )

        # The next page starts where the fresh window ends, not where the old pages did.
        after = fresh["window"]["older"]
        page = phone.request.get(f"/api/v1/boards/{board.code}/posts?after={after}").json()
        phone.click("#feed-more-button")
        expect(cards).to_have_count(len(screen) + len(page["posts"]))
        assert [read.get("after") for read in reads] == [after]
        paged = {*screen, *(p["id"] for p in page["posts"])}
        assert shown_ids(phone) == sorted(paged, reverse=True)

        scroll_to_the_end(phone, POSTS - 1)
        assert shown_ids(phone) == left, "every post left, each once, newest first"
        for post_id, title in changed.items():
            expect(card_of(phone, post_id).locator(".post-title")).to_have_text(title)
        expect(phone.locator("#feed-count")).to_have_text(
            f"Showing {POSTS - 1} of {POSTS - 1} posts"
        )
        assert real_errors(contexts) == []
    finally:
        contexts.close()
