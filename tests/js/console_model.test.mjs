// What the facilitator's console shows (board/static/js/console_model.js): which posts
// go in which list and in what order, the switches' words, a person's badges, fairness
// in words, and what a live event means for the console.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  afterEvent,
  authorLine,
  barWidth,
  boardPosts,
  dotsOn,
  fairnessView,
  heldBack,
  hiddenPosts,
  hiddenWhy,
  mergeChoices,
  pagesLeft,
  peopleHere,
  percent,
  personView,
  postActions,
  postCounts,
  reportedPosts,
  reportsOn,
  switches,
  timerView,
  toggleDone,
  waitingPosts,
} from "../../board/static/js/console_model.js";
import { useStrings } from "../../board/static/js/i18n.js";
import { applyEvent, fromSnapshot } from "../../board/static/js/state.js";
import { event, post, snapshot } from "./helpers.mjs";

// A string missing from the table shows as its key; plurals show their count too, so a
// test sees which words were chosen and for how many.
const PLURALS = [
  "reported_by",
  "supporters_count",
  "dot_count",
  "comments_count",
  "silent_on_state",
  "posts_count",
  "fair_not_posted_anonymous",
  "fair_top_share",
];
useStrings(
  Object.fromEntries(
    PLURALS.flatMap((key) => [
      [`${key}_one`, `${key}_one({count})`],
      [`${key}_other`, `${key}_other({count})`],
    ]),
  ),
);

const FACILITATOR = { id: 9, role: "facilitator", name: "Fay" };

function consoleState(fields = {}) {
  return fromSnapshot(
    snapshot({ me: FACILITATOR, staff: { dot_totals: {}, reports: {}, muted_ids: [] }, ...fields }),
  );
}

const ids = (posts) => posts.map((p) => p.id);

describe("the lists of posts", () => {
  const state = consoleState({
    posts: [
      post({ id: 1, state: "pending" }),
      post({ id: 2 }),
      post({ id: 3, state: "pending" }),
      post({ id: 4, state: "silent" }),
      post({ id: 5, state: "rejected" }),
      post({ id: 6, pinned: true }),
      post({ id: 7, hidden: { reason: "spam" } }),
      post({ id: 8, state: "pending", hidden: { reason: "spam" } }),
      post({ id: 9 }),
    ],
    staff: { dot_totals: {}, reports: { 2: 1, 9: 3, 6: 1, 7: 4 }, muted_ids: [] },
  });

  test("the queue: posts waiting and not hidden, oldest first", () => {
    assert.deepEqual(ids(waitingPosts(state)), [1, 3]);
  });

  test("reported: not hidden, most reported first, then newest", () => {
    assert.deepEqual(ids(reportedPosts(state)), [9, 6, 2]);
    assert.equal(reportsOn(state, { id: 9 }), 3);
    assert.equal(reportsOn(state, { id: 1 }), 0);
    assert.equal(reportsOn(fromSnapshot(snapshot()), { id: 9 }), 0);
  });

  test("hidden: newest first, with why, who wrote it and how often reported", () => {
    assert.deepEqual(ids(hiddenPosts(state)), [8, 7]);
    const why = hiddenWhy(state, state.posts.get(7), (reason) => `<${reason}>`);
    assert.equal(why, "<spam> · Ann · reported_by_other(4)");
    assert.equal(hiddenWhy(state, state.posts.get(8), String), "spam · Ann");
  });

  test("the board's posts: on the board or held back, pinned first, then newest", () => {
    const { shown, targets } = boardPosts(state);
    assert.deepEqual(ids(shown), [6, 9, 4, 2]);
    // Held back for the reveal, it cannot be a merge target.
    assert.deepEqual(ids(targets), [9, 6, 2]);
    assert.deepEqual(ids(mergeChoices(targets, 6)), [9, 2]);
  });

  test("a held-back post only shows Hide; merging needs another open post", () => {
    const { targets } = boardPosts(state);
    assert.deepEqual(postActions(state.posts.get(4), targets), {
      pin: false,
      spotlight: false,
      merge: false,
    });
    assert.deepEqual(postActions(state.posts.get(2), targets), {
      pin: true,
      spotlight: true,
      merge: true,
    });
    assert.equal(postActions(state.posts.get(2), [state.posts.get(2)]).merge, false);
  });

  test("heldBack counts the posts silent brainstorming holds", () => {
    assert.equal(heldBack(state), 1);
  });
});

describe("a post's lines", () => {
  test("dots: the facilitators' total while hidden, else the post's count", () => {
    const state = consoleState({ staff: { dot_totals: { 1: 4 }, reports: {}, muted_ids: [] } });
    assert.equal(dotsOn(state, { id: 1, dot_count: null }), 4);
    assert.equal(dotsOn(state, { id: 2, dot_count: 2 }), 2);
    assert.equal(dotsOn(state, { id: 3, dot_count: null }), 0);
  });

  test("counts: supporters, dots on ideas and needs (marked while hidden), comments", () => {
    const state = consoleState();
    const idea = post({ id: 1, support_count: 2, dot_count: 3, comments: [{ id: 1 }] });
    assert.equal(
      postCounts(state, idea),
      "supporters_count_other(2) · dot_count_other(3) · comments_count_one(1)",
    );
    assert.equal(
      postCounts(state, post({ id: 2, kind: "skill", support_count: 1 })),
      "supporters_count_one(1)",
    );
    const hidden = applyEvent(
      state,
      event(11, "session.changed", { session: { dots_hidden: true } }),
    );
    assert.equal(
      postCounts(hidden, post({ id: 3, kind: "need" })),
      "supporters_count_other(0) · dots_hidden_from_others",
    );
  });

  test("author line: by the author, or entered for someone; the time when there is one", () => {
    assert.equal(authorLine(post({ id: 1 })), "by_name");
    assert.equal(authorLine(post({ id: 1, on_behalf_of: "Bo" })), "entered_for");
    const line = authorLine(post({ id: 1, created_at: "2024-05-01T10:05:00Z" }), "en-GB");
    assert.match(line, /^by_name · \d\d:\d\d$/);
  });
});

describe("the session's switches and the timer", () => {
  test("each switch says what it is and what its button does", () => {
    const state = consoleState({ session: { locked: true, silent: true } });
    const words = switches(state);
    assert.deepEqual(words.locked, { on: true, state: "locked_on", action: "unlock" });
    assert.deepEqual(words.premoderation, {
      on: false,
      state: "premoderation_off_state",
      action: "premoderation_turn_on",
    });
    assert.deepEqual(words.silent, {
      on: true,
      state: "silent_on_state_other(0)",
      action: "reveal_all",
    });
    assert.deepEqual(words.dots_hidden, {
      on: false,
      state: "dots_shown_state",
      action: "hide_dots",
    });
  });

  test("what is said once a switch has been turned", () => {
    assert.equal(toggleDone("silent", true), "silent_started");
    assert.equal(toggleDone("silent", false), "silent_revealed");
    assert.equal(toggleDone("dots_hidden", false), "dots_revealed");
    assert.equal(toggleDone("locked", true), "board_locked");
    assert.equal(toggleDone("premoderation", false), "premoderation_off");
  });

  test("the timer: none, running, done", () => {
    assert.deepEqual(timerView(null), {
      state: "none",
      running: false,
      remaining: "",
      status: "timer_none",
      seconds: 0,
    });
    assert.deepEqual(timerView(42), {
      state: "running",
      running: true,
      remaining: "42",
      status: "timer_running",
      seconds: 42,
    });
    assert.equal(timerView(0).state, "done");
    assert.equal(timerView(0).running, false);
    assert.equal(timerView(0).status, "timer_done");
  });
});

describe("people", () => {
  test("badges: you, facilitator, muted (by the staff list too), removed, link withdrawn", () => {
    const state = consoleState({ staff: { dot_totals: {}, reports: {}, muted_ids: [4] } });
    assert.deepEqual(personView(state, { id: 9, role: "facilitator", name: "Fay" }).labels, [
      "you",
      "facilitator",
    ]);
    const muted = personView(state, { id: 4, role: "participant", name: "Bo", posts: 2 });
    assert.deepEqual(muted.labels, ["muted"]);
    assert.equal(muted.muted, true);
    assert.equal(muted.actions, true);
    assert.equal(muted.detail, "posts_count_other(2)");
    const removed = personView(state, { id: 4, role: "participant", removed: true });
    assert.deepEqual(removed.labels, ["person_removed"]);
    assert.equal(removed.actions, false);
    assert.equal(removed.name, "anonymous");
    const revoked = personView(state, { id: 5, role: "facilitator", revoked: true });
    assert.deepEqual(revoked.labels, ["facilitator", "link_withdrawn_badge"]);
    assert.equal(revoked.actions, false);
  });

  test("no mute or remove for a facilitator", () => {
    const view = personView(consoleState(), { id: 5, role: "facilitator", name: "Al" });
    assert.equal(view.actions, false);
  });

  test("the count leaves out the removed and the withdrawn", () => {
    const people = [{ id: 1 }, { id: 2, removed: true }, { id: 3, revoked: true }, { id: 4 }];
    assert.deepEqual(ids(peopleHere(people)), [1, 4]);
  });
});

describe("fairness", () => {
  const FAIRNESS = {
    joined: 10,
    posted: 6,
    not_posted: 4,
    not_posted_names: ["Ann", "Bo"],
    posts: 20,
    top_tenth: { people: 1, posts: 9, share: 0.45 },
    supports: { average: 1.5, total: 15, people: 8, most: 4 },
    dots: { average: 2, total: 20, budget: 3, all_spent: 5 },
    assisted_posts: 2,
  };

  test("the figures, and who has not posted yet: by name, then the anonymous", () => {
    const view = fairnessView(FAIRNESS);
    assert.equal(view.joined, "10");
    assert.equal(view.postedShare, 0.6);
    assert.equal(view.waiting, "fair_not_posted_names fair_not_posted_anonymous_other(2)");
    assert.equal(view.topPercent, "45%");
    assert.equal(view.topShare, "fair_top_share_one(1)");
    assert.equal(view.topBar, 0.45);
    assert.equal(view.supports, "1.5");
    assert.equal(view.dots, "2");
    assert.equal(view.assisted, "2");
  });

  test("nobody joined, everyone posted, no posts yet", () => {
    const empty = fairnessView({ joined: 0, posted: 0, not_posted: 0, posts: 0 });
    assert.equal(empty.waiting, "fair_nobody_joined");
    assert.equal(empty.postedShare, 0);
    assert.equal(empty.topPercent, "–");
    assert.equal(empty.topShare, "fair_no_posts");
    assert.equal(empty.topBar, 0);
    assert.equal(empty.supports, "0");
    assert.equal(fairnessView({ ...FAIRNESS, not_posted: 0 }).waiting, "fair_everyone_posted");
    assert.equal(
      fairnessView({ ...FAIRNESS, not_posted_names: [] }).waiting,
      "fair_not_posted_anonymous_other(4)",
    );
  });

  test("shares as percentages and bars, kept within 0..100%", () => {
    assert.equal(percent(0.456), 46);
    assert.equal(percent(undefined), 0);
    assert.equal(barWidth(0.5), "50%");
    assert.equal(barWidth(1.7), "100%");
    assert.equal(barWidth(-1), "0%");
  });
});

describe("afterEvent", () => {
  const before = consoleState({ posts: [post({ id: 1 })] });
  const meaning = (envelope) => afterEvent(before, applyEvent(before, envelope), envelope);

  test("a new post waiting for approval is announced, once", () => {
    const waiting = post({ id: 2, state: "pending", title: "Bench" });
    assert.equal(meaning(event(11, "post.created", { post: waiting })).arrived, waiting);
    assert.equal(meaning(event(11, "post.created", { post: post({ id: 3 }) })).arrived, null);
    // Already here (its event seen before): not announced again.
    const again = post({ id: 1, state: "pending" });
    assert.equal(meaning(event(11, "post.created", { post: again })).arrived, null);
  });

  test("my own link withdrawn stops the console; someone else's does not", () => {
    assert.equal(meaning(event(11, "facilitator.revoked", { participant_id: 9 })).revoked, true);
    assert.equal(meaning(event(11, "facilitator.revoked", { participant_id: 4 })).revoked, false);
  });

  test("events that change the people list fetch it again; others do not", () => {
    for (const type of ["participant.joined", "participant.muted", "post.created", "post.merged"]) {
      assert.equal(afterEvent(before, before, event(11, type, {})).people, true, type);
    }
    for (const type of ["support.changed", "session.changed", "dots.changed", "post.pinned"]) {
      assert.equal(afterEvent(before, before, event(11, type, {})).people, false, type);
    }
  });
});

describe("the list of posts, paged", () => {
  test("shows how many of how many, exact once every page is read", () => {
    assert.deepEqual(pagesLeft(6, { next: "n30", total: 40 }), { more: true, all: 40 });
    assert.deepEqual(pagesLeft(41, { next: "n30", total: 40 }), { more: true, all: 41 });
    assert.deepEqual(pagesLeft(38, { next: null, total: 40 }), { more: false, all: 38 });
    assert.deepEqual(pagesLeft(0, { next: undefined, total: null }), { more: true, all: 0 });
  });
});
