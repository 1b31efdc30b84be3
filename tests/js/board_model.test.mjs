// What the board page shows, worked out without the DOM (board/static/js/board_words.js):
// the feed with writes in flight, the banners, notes, the summary's pace, refused writes.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  decisionNotes,
  dropApplied,
  editChanges,
  errorPlace,
  feedCount,
  feedModel,
  LINK_START,
  linkAfter,
  newPost,
  sessionBanner,
  SummaryPacer,
  timerTick,
  totalAfter,
  waitingCount,
  withNotice,
  withoutNotice,
} from "../../board/static/js/board_words.js";
import { useStrings } from "../../board/static/js/i18n.js";
import { applyEvent, fromSnapshot } from "../../board/static/js/state.js";
import { event, post, snapshot } from "./helpers.mjs";

const ME = 1;
const ALL = { kind: null, tag: null, sort: "newest" };

function stateOf(posts, fields = {}) {
  return fromSnapshot(snapshot({ posts, ...fields }));
}

function opsOf(...ops) {
  return new Map(ops.map((op) => [op.op_id, op]));
}

test("the feed: newest first, pinned on top, my edit over its post, my delete gone", () => {
  const state = stateOf([
    post({ id: 1, title: "Old", tag: "food" }),
    post({ id: 2, title: "Pinned", pinned: true }),
    post({ id: 3, title: "Mine", tag: "play" }),
    post({ id: 4, title: "Going" }),
  ]);
  const ops = opsOf(
    { op_id: "a", name: "post.update", payload: { post_id: 3, title: "Mine, better" } },
    { op_id: "b", name: "post.delete", payload: { post_id: 4 } },
  );
  const model = feedModel(state, ops, ALL, ME);
  assert.deepEqual(
    model.posts.map((p) => p.title),
    ["Pinned", "Mine, better", "Old"],
  );
  assert.equal(state.posts.get(3).title, "Mine", "the state is not changed");
  assert.deepEqual(model.tags, ["food", "play"]);
  assert.equal(model.pending.posts.get(4).deleting, true);
});

test("the feed: a new post on its way shows unless the filters hide it", () => {
  const state = stateOf([post({ id: 5, kind: "need" })]);
  const idea = { op_id: "c", name: "post.create", payload: { kind: "idea", title: "Bench" } };
  const ops = opsOf(idea);
  assert.deepEqual(feedModel(state, ops, ALL, ME).creates, [idea]);
  const needs = { ...ALL, kind: "need" };
  assert.deepEqual(feedModel(state, ops, needs, ME).creates, []);
  assert.deepEqual(
    feedModel(state, ops, needs, ME).posts.map((p) => p.id),
    [5],
  );
});

test("the feed: my offers are what I can help with, oldest first", () => {
  const state = stateOf([
    post({ id: 9, kind: "tool", title: "Ladder" }),
    post({ id: 7, kind: "skill", title: "Carpentry" }),
    post({ id: 8, kind: "skill", author: { id: 2, name: "Bo" } }),
    post({ id: 6, kind: "idea" }),
  ]);
  assert.deepEqual(feedModel(state, new Map(), ALL, ME).offers, [
    { id: 7, title: "Carpentry" },
    { id: 9, title: "Ladder" },
  ]);
});

test("a write is forgotten once its event is applied, and counts as waiting until its ack", () => {
  const ops = opsOf(
    { op_id: "sent", name: "support.toggle", payload: {} },
    { op_id: "acked", name: "support.toggle", payload: {}, result: {}, seq: 12 },
    { op_id: "applied", name: "support.toggle", payload: {}, result: {}, seq: 10 },
  );
  assert.equal(waitingCount(ops), 1);
  dropApplied(ops, 11);
  assert.deepEqual([...ops.keys()], ["sent", "acked"]);
  dropApplied(ops, 12);
  assert.deepEqual([...ops.keys()], ["sent"]);
});

test("the session banner: flags go when closed, dots on their way count as spent", () => {
  const session = { phase: "prioritise", dot_budget: 3, locked: true, silent: true };
  const overlays = new Map([
    [1, { dots: 1 }],
    [2, { dots: -1 }],
    [3, { dots: 1 }],
  ]);
  const shown = sessionBanner({ ...session, dots_hidden: true }, 1, overlays);
  assert.deepEqual(shown, {
    locked: true,
    premoderation: false,
    silent: true,
    dotsLeft: 1,
    dotsHidden: true,
  });
  assert.equal(sessionBanner({ ...session, phase: "gather" }, 0).dotsLeft, null);
  const closed = sessionBanner({ ...session, phase: "closed", premoderation: true }, 0);
  assert.deepEqual([closed.locked, closed.premoderation, closed.silent], [false, false, false]);
});

test("the timer: seconds left on the server's clock, 'time up' said once", () => {
  const now = Date.parse("2024-05-01T10:00:00Z");
  const running = stateOf([], {
    session: {
      phase: "gather",
      timer: { ends_at: "2024-05-01T10:01:30Z", seconds: 300 },
    },
  });
  assert.equal(timerTick(stateOf([]), true, now), null);
  assert.deepEqual(timerTick(running, false, now), { left: 90, timeUp: false, running: true });
  const later = now + 95_000;
  assert.deepEqual(timerTick(running, true, later), { left: 0, timeUp: true, running: false });
  assert.equal(timerTick(running, false, later).timeUp, false, "already said");
  // A clock told late never shows more than was set.
  const timer = { ...running.session.timer, seconds: 60 };
  const capped = { ...running, session: { ...running.session, timer } };
  assert.equal(timerTick(capped, false, now).left, 60);
});

test("notes: a newer one with the same key replaces it, at the end; dismissed by id", () => {
  let notes = withNotice([], { key: "muted", text: "Muted" });
  notes = withNotice(notes, { key: "merged-4", text: "Merged" });
  notes = withNotice(notes, { key: "muted", text: "Unmuted" });
  assert.deepEqual(
    notes.map((n) => n.text),
    ["Merged", "Unmuted"],
  );
  const { notices, gone } = withoutNotice(notes, "notice-merged-4");
  assert.equal(gone.text, "Merged");
  assert.deepEqual(
    notices.map((n) => n.key),
    ["muted"],
  );
  assert.equal(withoutNotice(notes, "notice-other").gone, null);
  assert.equal(withoutNotice(notes, "notice-other").notices, notes);
});

test("decisions noted as the page opens: old news, and new ones on ideas I supported", () => {
  const decided = (id, ideaId, at) => ({
    id,
    idea_id: ideaId,
    title: `Proposal ${id}`,
    state: "decided",
    decision: { outcome: "accepted" },
    updated_at: at,
  });
  const state = stateOf(
    [
      post({ id: 1, supporter_ids: [ME], support_count: 1 }),
      post({ id: 2 }),
      post({ id: 3, supporter_ids: [ME], support_count: 1 }),
      post({ id: 4, supporter_ids: [ME], support_count: 1 }),
    ],
    {
      proposals: [
        decided(11, 1, "2024-05-02T00:00:00Z"), // supported, since my visit
        decided(12, 2, "2024-05-02T00:00:00Z"), // since, but not supported
        decided(13, 3, "2024-04-01T00:00:00Z"), // supported, before my visit
        { ...decided(14, 4, "2024-05-02T00:00:00Z"), state: "under_review", decision: null },
      ],
    },
  );
  assert.equal(state.proposals.size, 4, "the fixture's proposals are in the state");
  const lastVisit = Date.parse("2024-05-01T00:00:00Z");
  const seen = decisionNotes(state, { news: [13, 99], lastVisit }, ME);
  assert.deepEqual(
    seen.note.map((p) => p.id),
    [11, 13],
  );
  assert.deepEqual(seen.gone, [99]);
  // Never here on this device: only the news not dismissed.
  const first = decisionNotes(state, { news: [], lastVisit: null }, ME);
  assert.deepEqual(first.note, []);
});

test("the connection: lost, back online, refused; the timers to start", () => {
  let now = linkAfter(LINK_START, "connecting");
  assert.equal(now.slowTimer, true);
  assert.equal(now.link.link, "connecting");
  now = linkAfter({ ...now.link, slow: true }, "online");
  assert.deepEqual(now.link, { ...LINK_START, link: "online" });
  assert.equal(now.backTimer, false, "the first connection is not 'back'");
  now = linkAfter(now.link, "offline");
  assert.deepEqual([now.link.link, now.link.lost], ["offline", true]);
  now = linkAfter(now.link, "online");
  assert.deepEqual([now.link.lost, now.link.backOnline, now.backTimer], [false, true, true]);
  now = linkAfter(now.link, "refused", { code: "not_joined" });
  assert.deepEqual(now.link.refusal, { code: "not_joined" });
  assert.equal(now.link.link, "refused");
});

test("the summary is asked for at most every gap, doubling while asked in a row", () => {
  const pacer = new SummaryPacer({ everyMs: 2000, maxGapMs: 8000, retryMs: 10000 });
  assert.equal(pacer.next(0), "ask");
  assert.equal(pacer.next(100), null, "one request at a time");
  pacer.done(500, true);
  assert.equal(pacer.next(1000), 1000, "wait for the gap");
  assert.equal(pacer.next(1200), null, "already waiting");
  pacer.woke();
  assert.equal(pacer.next(2000, true), "ask");
  pacer.done(2100, true);
  assert.equal(pacer.next(3000), 3000, "the gap doubled to 4 s");
  pacer.woke();
  assert.equal(pacer.next(6000, true), "ask");
  pacer.done(6100, true);
  assert.equal(pacer.next(7000), 7000, "doubled to the most, 8 s");
  pacer.woke();
  pacer.next(14000, true);
  pacer.done(14100, false);
  assert.equal(pacer.next(20000), null, "failed: not again for 10 s");
  assert.equal(pacer.next(30000), "ask", "a quiet spell: back to the least gap");
  pacer.done(30100, true);
  assert.equal(pacer.next(31000), 1000);
});

test("where a refused write's error goes", () => {
  const groups = new Map([[40, { id: 40, idea_id: 4 }]]);
  const op = (name, payload, extra = {}) => ({ name, payload, ...extra });
  assert.deepEqual(errorPlace(op("post.create", {}), groups), { composer: true });
  assert.deepEqual(errorPlace(op("comment.create", { post_id: 2 }), groups), {
    postId: 2,
    form: ".comment-form",
  });
  assert.deepEqual(errorPlace(op("group.leave", { group_id: 40 }), groups), {
    postId: 4,
    box: ".group-box",
    form: "form:not([hidden])",
    orBox: true,
  });
  assert.equal(errorPlace(op("link.remove", { link_id: 8 }, { target: 3 }), groups).postId, 3);
  assert.equal(errorPlace(op("link.remove", { link_id: 8 }), groups).box, ".help-box, .helpers");
  assert.deepEqual(errorPlace(op("dot.place", { post_id: 5 }), groups), {
    postId: 5,
    box: ".dot-box",
  });
  assert.equal(errorPlace(op("post.report", { post_id: 5 }), groups).box, ".report-box");
  assert.equal(errorPlace(op("post.hide", { post_id: 5 }), groups).orBox, undefined);
  assert.equal(errorPlace(op("post.reject", { post_id: 5 }), groups).form, undefined);
  assert.deepEqual(errorPlace(op("support.toggle", { post_id: 6 }), groups), {
    postId: 6,
    form: ".support-form",
  });
});

test("what the composer and the inline editor send", () => {
  const fields = { kind: "idea", title: "Bench", body: "", tag: "", availability: "Sundays" };
  assert.deepEqual(newPost(fields), { kind: "idea", title: "Bench", body: "" });
  assert.deepEqual(newPost({ ...fields, kind: "skill", tag: "food" }), {
    kind: "skill",
    title: "Bench",
    body: "",
    tag: "food",
    availability: "Sundays",
  });
  assert.equal(newPost({ ...fields, kind: undefined }).kind, "idea");
  assert.equal(newPost({ ...fields, title: "   " }), null);
  const mine = post({ title: "Bench", body: "", tag: null, availability: null });
  assert.deepEqual(
    editChanges(mine, { kind: "idea", title: "Bench", body: "", tag: null, availability: null }),
    {},
  );
  assert.deepEqual(editChanges(mine, { title: "Benches", tag: "play", body: "" }), {
    title: "Benches",
    tag: "play",
  });
});

test("the feed's count: shown of the view's total, exact once every page is read", () => {
  useStrings({
    feed_count_one: "Showing {shown} of {count} post",
    feed_count_other: "Showing {shown} of {count} posts",
  });
  assert.deepEqual(feedCount(30, { next: "n70", total: 120 }), {
    more: true,
    text: "Showing 30 of 120 posts",
  });
  assert.deepEqual(feedCount(31, { next: "n70", total: 30 }).text, "Showing 31 of 31 posts");
  assert.deepEqual(feedCount(40, { next: null, total: 45 }), {
    more: false,
    text: "Showing 40 of 40 posts",
  });
  assert.equal(feedCount(0, { next: undefined, total: null }).more, true, "not asked yet");
  assert.equal(feedCount(1, { next: null, total: 1 }).text, "Showing 1 of 1 post");
});

test("a view's total follows the posts events bring in or take out", () => {
  const ideas = { kind: "idea", tag: null, q: null, sort: "newest" };
  const before = stateOf([post({ id: 1 }), post({ id: 2, kind: "need" })]);
  const step = (state, envelope) => [state, applyEvent(state, envelope), envelope];
  const created = step(before, event(11, "post.created", { post: post({ id: 3 }) }));
  assert.equal(totalAfter(50, ...created, ideas), 51);
  const need = step(before, event(11, "post.created", { post: post({ id: 4, kind: "need" }) }));
  assert.equal(totalAfter(50, ...need, ideas), 50, "not in the view");
  const deleted = step(before, event(11, "post.deleted", { post_id: 1, by: "author" }));
  assert.equal(totalAfter(50, ...deleted, ideas), 49);
  const unknown = step(before, event(11, "post.deleted", { post_id: 99, by: "author" }));
  assert.equal(totalAfter(50, ...unknown, ideas), 50, "a post this page never held");
  const hidden = step(before, event(11, "post.hidden", { post_id: 1, reason: "spam" }));
  assert.equal(totalAfter(50, ...hidden, ALL), 49);
  const edited = step(before, event(11, "post.updated", { post: post({ id: 2, kind: "idea" }) }));
  assert.equal(totalAfter(50, ...edited, ideas), 51, "edited into the view");
  assert.equal(totalAfter(0, ...hidden, ALL), 0, "never below nothing");
});
