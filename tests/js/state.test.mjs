// The board reducer (board/static/js/state.js): every event type it handles, and that it
// never changes the state it is given.
//
// Run the front end's unit tests with Node's own runner, no packages needed:
//
//     node --test tests/js/
//
// Each file imports the page modules straight from board/static/js/. A module must not
// touch `document` or `window` when it is imported (only inside functions), so node can
// load it; the tests give it what the browser would (a storage object, strings).

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  applyEvent,
  dotsLeft,
  fromSnapshot,
  groupOf,
  isFacilitator,
  isMember,
  isOpen,
  myDotsOn,
  pinnedFirst,
  postsNewestFirst,
  serverNow,
  shownProposal,
  spotlightPost,
  supportedBy,
  timerLeft,
  withServerTime,
  withSummary,
} from "../../board/static/js/state.js";
import { deepFreeze, event, post, snapshot } from "./helpers.mjs";

const FACILITATOR = { id: 9, role: "facilitator", name: "Fay" };

function facilitatorState(fields = {}) {
  return fromSnapshot(
    snapshot({
      me: FACILITATOR,
      staff: { dot_totals: {}, reports: {}, muted_ids: [] },
      ...fields,
    }),
  );
}

/** Apply events in turn to a frozen state: a reducer that writes to its input throws. */
function run(state, ...envelopes) {
  let next = state;
  for (const envelope of envelopes) next = applyEvent(deepFreeze(next), envelope);
  return next;
}

describe("fromSnapshot", () => {
  test("keeps posts, groups and proposals by id, and the session with defaults", () => {
    const state = fromSnapshot(
      snapshot({
        posts: [post({ id: 1 }), post({ id: 2 })],
        groups: [{ id: 5, idea_id: 1, member_ids: [1] }],
        session: { phase: "discuss", dot_budget: 5 },
        my_dots: { 1: 2 },
        dots_spent: 2,
      }),
    );
    assert.deepEqual([...state.posts.keys()], [1, 2]);
    assert.equal(state.groups.get(5).idea_id, 1);
    assert.equal(state.seq, 10);
    assert.equal(state.session.phase, "discuss");
    assert.equal(state.session.dot_budget, 5);
    assert.equal(state.session.locked, false);
    assert.equal(state.session.timer, null);
    assert.equal(myDotsOn(state, 1), 2);
    assert.equal(dotsLeft(state), 3);
    assert.equal(state.staff, null);
  });

  test("an older snapshot without a session runs as a gathering with 3 dots", () => {
    const state = fromSnapshot(snapshot());
    assert.equal(state.session.phase, "gather");
    assert.equal(state.session.dot_budget, 3);
    assert.equal(state.session.spotlight_post_id, null);
  });

  test("a merged duplicate is not on the board but remembered", () => {
    const state = fromSnapshot(
      snapshot({ posts: [post({ id: 1 }), post({ id: 2, merged_into_id: 1 })] }),
    );
    assert.deepEqual([...state.posts.keys()], [1]);
    assert.equal(state.merged.get(2), 1);
  });

  test("the moderation summary reflects the snapshot's seq", () => {
    const state = fromSnapshot(
      snapshot({ seq: 7, moderation: { hidden: 2, by_reason: { spam: 2 } } }),
    );
    assert.deepEqual(state.moderation, {
      hidden: 2,
      by_reason: { spam: 2 },
      seq: 7,
      unsure: false,
    });
  });

  test("server_time sets the clock offset", () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    const state = fromSnapshot(snapshot({ server_time: soon }));
    assert.ok(Math.abs(state.serverOffset - 60_000) < 2000, state.serverOffset);
    assert.equal(fromSnapshot(snapshot()).serverOffset, 0);
  });

  test("of two proposals for one idea, the live one wins over a newer withdrawn one", () => {
    const state = fromSnapshot(
      snapshot({
        proposals: [
          { id: 3, idea_id: 1, state: "submitted" },
          { id: 4, idea_id: 1, state: "withdrawn" },
        ],
      }),
    );
    assert.equal(state.proposals.get(1).id, 3);
  });
});

describe("applyEvent", () => {
  test("moves the seq to the envelope's and leaves its input alone", () => {
    const state = fromSnapshot(snapshot({ posts: [post({ id: 1 }), post({ id: 2 })] }));
    const next = run(state, event(11, "post.pinned", { post_id: 1, pinned: true }));
    assert.equal(next.seq, 11);
    assert.equal(state.seq, 10);
    assert.equal(state.posts.get(1).pinned, false);
    assert.equal(next.posts.get(1).pinned, true);
    // The untouched post is the same object: the view redraws only what changed.
    assert.equal(next.posts.get(2), state.posts.get(2));
  });

  test("an unknown type or a private event only moves the seq on", () => {
    const state = fromSnapshot(snapshot({ posts: [post({ id: 1 })] }));
    for (const type of ["private", "something.new"]) {
      const next = run(state, event(11, type, { post_id: 1 }));
      assert.equal(next.seq, 11);
      assert.equal(next.posts, state.posts);
    }
  });

  test("participant.joined counts one more", () => {
    assert.equal(run(fromSnapshot(snapshot()), event(11, "participant.joined")).participants, 4);
  });

  test("post.created adds the post; post.updated replaces it", () => {
    const state = fromSnapshot(snapshot());
    let next = run(state, event(11, "post.created", { post: post({ id: 4, title: "Bench" }) }));
    assert.equal(next.posts.get(4).title, "Bench");
    next = run(next, event(12, "post.updated", { post: post({ id: 4, title: "Two benches" }) }));
    assert.equal(next.posts.get(4).title, "Two benches");
  });

  test("post.updated of an offer updates every link to it, on posts and groups", () => {
    const link = { id: 30, target_id: 1, offer: { id: 2, kind: "skill", title: "Old", tag: null } };
    const state = fromSnapshot(
      snapshot({
        posts: [post({ id: 1, helpers: [link] }), post({ id: 2, kind: "skill", title: "Old" })],
        groups: [{ id: 5, idea_id: 1, offers: [link], member_ids: [] }],
      }),
    );
    const offer = post({
      id: 2,
      kind: "skill",
      title: "Carpentry",
      tag: "wood",
      availability: "weekends",
    });
    const next = run(state, event(11, "post.updated", { post: offer }));
    assert.equal(next.posts.get(1).helpers[0].offer.title, "Carpentry");
    assert.equal(next.posts.get(1).helpers[0].offer.availability, "weekends");
    assert.equal(next.groups.get(5).offers[0].offer.tag, "wood");
  });

  test("post.deleted takes the post, links to it, its idea's group and my dots on it", () => {
    const link = { id: 30, target_id: 1, offer: { id: 2 } };
    const state = fromSnapshot(
      snapshot({
        posts: [post({ id: 1, helpers: [link] }), post({ id: 2, kind: "tool" }), post({ id: 3 })],
        groups: [{ id: 5, idea_id: 3, member_ids: [1] }],
        my_dots: { 3: 2 },
        dots_spent: 2,
      }),
    );
    let next = run(state, event(11, "post.deleted", { post_id: 2 }));
    assert.ok(!next.posts.has(2));
    assert.deepEqual(next.posts.get(1).helpers, []);
    next = run(next, event(12, "post.deleted", { post_id: 3 }));
    assert.ok(!next.groups.has(5));
    assert.equal(myDotsOn(next, 3), 0);
    assert.equal(next.dotsSpent, 0);
  });

  test("post.hidden leaves a participant's board and counts in the summary", () => {
    const state = fromSnapshot(snapshot({ posts: [post({ id: 1 })] }));
    const next = run(state, event(11, "post.hidden", { post_id: 1, reason: "spam" }));
    assert.ok(!next.posts.has(1));
    assert.deepEqual(next.moderation, {
      hidden: 1,
      by_reason: { spam: 1 },
      seq: 11,
      unsure: false,
    });
  });

  test("post.hidden stays on a facilitator's board, marked hidden", () => {
    const state = facilitatorState({ posts: [post({ id: 1 })] });
    const next = run(
      state,
      event(11, "post.hidden", { post_id: 1, reason: "spam" }, "2024-05-01T10:05:00Z"),
    );
    assert.deepEqual(next.posts.get(1).hidden, { reason: "spam", at: "2024-05-01T10:05:00Z" });
    assert.equal(isOpen(next.posts.get(1)), false);
  });

  test("an event carrying the summary sets it as it is", () => {
    const state = fromSnapshot(snapshot({ posts: [post({ id: 1 })] }));
    const moderation = { hidden: 5, by_reason: { spam: 3, "off-topic": 2 } };
    const next = run(state, event(11, "post.hidden", { post_id: 1, reason: "spam", moderation }));
    assert.deepEqual(next.moderation, { ...moderation, seq: 11, unsure: false });
  });

  test("an event the summary already reflects is not counted twice", () => {
    const state = withSummary(
      fromSnapshot(snapshot({ posts: [post({ id: 1 })] })),
      { hidden: 1, by_reason: { spam: 1 } },
      12,
    );
    const next = run(state, event(11, "post.hidden", { post_id: 1, reason: "spam" }));
    assert.equal(next.moderation.hidden, 1);
    assert.equal(next.moderation.seq, 12);
  });

  test("post.restored brings the post back, uncounts it and dismisses its reports", () => {
    let state = facilitatorState({ posts: [post({ id: 1 })] });
    state = run(
      state,
      event(11, "post.reported", { post_id: 1, reports: 3 }),
      event(12, "post.hidden", { post_id: 1, reason: "spam" }),
    );
    assert.equal(state.staff.reports["1"], 3);
    const next = run(state, event(13, "post.restored", { post: post({ id: 1 }) }));
    assert.equal(next.posts.get(1).hidden, undefined);
    assert.equal(next.moderation.hidden, 0);
    assert.deepEqual(next.moderation.by_reason, {});
    assert.equal(next.staff.reports["1"], undefined);
  });

  test("a restore for a reason this client never saw marks the summary unsure", () => {
    const state = fromSnapshot(snapshot({ moderation: { hidden: 2, by_reason: { spam: 2 } } }));
    const next = run(state, event(11, "post.restored", { post: post({ id: 8 }) }));
    assert.equal(next.moderation.hidden, 1);
    assert.equal(next.moderation.unsure, true);
    assert.ok(next.posts.has(8));
  });

  test("deleting a post never seen while posts are hidden marks the summary unsure", () => {
    const state = fromSnapshot(snapshot({ moderation: { hidden: 1, by_reason: { spam: 1 } } }));
    const next = run(state, event(11, "post.deleted", { post_id: 77 }));
    assert.equal(next.moderation.unsure, true);
    assert.equal(next.moderation.hidden, 1);
  });

  test("deleting a hidden post uncounts it for its reason", () => {
    let state = fromSnapshot(snapshot({ posts: [post({ id: 1 })] }));
    state = run(state, event(11, "post.hidden", { post_id: 1, reason: "abuse" }));
    const next = run(state, event(12, "post.deleted", { post_id: 1 }));
    assert.equal(next.moderation.hidden, 0);
    assert.equal(next.moderation.unsure, false);
  });

  test("facilitator.revoked of me takes hidden posts and staff data away", () => {
    let state = facilitatorState({ posts: [post({ id: 1 }), post({ id: 2 })] });
    state = run(state, event(11, "post.hidden", { post_id: 1, reason: "spam" }));
    const next = run(state, event(12, "facilitator.revoked", { participant_id: FACILITATOR.id }));
    assert.equal(next.me.revoked, true);
    assert.equal(isFacilitator(next), false);
    assert.deepEqual([...next.posts.keys()], [2]);
    assert.equal(next.staff, null);
    // Someone else's link: nothing changes for me.
    const other = run(state, event(12, "facilitator.revoked", { participant_id: 44 }));
    assert.equal(isFacilitator(other), true);
    assert.equal(other.posts.size, 2);
  });

  test("support.changed sets the count and the supporters, sorted, once each", () => {
    const state = fromSnapshot(snapshot({ posts: [post({ id: 1, supporter_ids: [5] })] }));
    let next = run(
      state,
      event(11, "support.changed", { post_id: 1, participant_id: 2, supported: true, count: 2 }),
    );
    assert.deepEqual(next.posts.get(1).supporter_ids, [2, 5]);
    assert.equal(next.posts.get(1).support_count, 2);
    assert.ok(supportedBy(next.posts.get(1), 2));
    next = run(
      next,
      event(12, "support.changed", { post_id: 1, participant_id: 5, supported: false, count: 1 }),
    );
    assert.deepEqual(next.posts.get(1).supporter_ids, [2]);
    assert.ok(!supportedBy(next.posts.get(1), 5));
  });

  test("comment.created appends once, even when the comment is already there", () => {
    const state = fromSnapshot(snapshot({ posts: [post({ id: 1 })] }));
    const comment = { id: 40, post_id: 1, body: "Yes!", author: { id: 2, name: "Bo" } };
    const next = run(
      state,
      event(11, "comment.created", { comment }),
      event(12, "comment.created", { comment }),
    );
    assert.deepEqual(next.posts.get(1).comments, [comment]);
  });

  test("link.created and link.removed, on the post and its group, idempotently", () => {
    const state = fromSnapshot(
      snapshot({
        posts: [post({ id: 1 })],
        groups: [{ id: 5, idea_id: 1, offers: [], member_ids: [] }],
      }),
    );
    const link = { id: 30, target_id: 1, helper: { id: 2 }, offer: null };
    let next = run(state, event(11, "link.created", { link }), event(12, "link.created", { link }));
    assert.deepEqual(next.posts.get(1).helpers, [link]);
    assert.deepEqual(next.groups.get(5).offers, [link]);
    next = run(next, event(13, "link.removed", { link_id: 30, target_id: 1 }));
    assert.deepEqual(next.posts.get(1).helpers, []);
    assert.deepEqual(next.groups.get(5).offers, []);
  });

  test("participant.renamed shows the new name on posts, comments, groups and me", () => {
    const ann = { id: 1, name: "Ann", anonymous: false };
    const state = fromSnapshot(
      snapshot({
        me: { ...ann, role: "participant" },
        posts: [
          post({ id: 1, author: ann, comments: [{ id: 3, post_id: 1, author: ann, body: "hi" }] }),
          post({ id: 2, author: { id: 2, name: "Bo" } }),
        ],
        groups: [{ id: 5, idea_id: 2, member_ids: [1], members: [ann], anonymous_members: 0 }],
      }),
    );
    const renamed = { id: 1, name: "Annie", anonymous: false };
    const next = run(state, event(11, "participant.renamed", { participant: renamed }));
    assert.equal(next.posts.get(1).author.name, "Annie");
    assert.equal(next.posts.get(1).comments[0].author.name, "Annie");
    assert.equal(next.groups.get(5).members[0].name, "Annie");
    assert.equal(next.me.name, "Annie");
    assert.equal(next.me.role, "participant");
    assert.equal(next.posts.get(2), state.posts.get(2));
  });

  test("a member who goes anonymous leaves the named list and counts as anonymous", () => {
    const ann = { id: 1, name: "Ann", anonymous: false };
    const state = fromSnapshot(
      snapshot({
        groups: [{ id: 5, idea_id: 2, member_ids: [1], members: [ann], anonymous_members: 0 }],
      }),
    );
    const next = run(
      state,
      event(11, "participant.renamed", { participant: { id: 1, name: null, anonymous: true } }),
    );
    assert.deepEqual(next.groups.get(5).members, []);
    assert.equal(next.groups.get(5).anonymous_members, 1);
  });

  test("group events keep the whole group and its summary on the idea", () => {
    const state = fromSnapshot(snapshot({ posts: [post({ id: 1 })] }));
    const group = { id: 5, idea_id: 1, name: "Benches", member_ids: [1, 2], closed: false };
    const types = [
      "group.created",
      "group.member_joined",
      "group.member_left",
      "group.coordinator_changed",
      "group.renamed",
      "group.closed",
    ];
    for (const type of types) {
      const next = run(state, event(11, type, { group }));
      assert.equal(next.groups.get(5), group, type);
      assert.deepEqual(
        next.posts.get(1).group,
        { id: 5, name: "Benches", member_count: 2, closed: false },
        type,
      );
      assert.equal(groupOf(next, next.posts.get(1)), group, type);
    }
    assert.ok(isMember(group, 2));
    assert.ok(!isMember(group, 3));
    assert.ok(!isMember(null, 2));
  });

  test("group.message_posted appends to a thread this page shows, once", () => {
    const threads = new Map([[5, [{ id: 1, group_id: 5, body: "a" }]]]);
    const state = fromSnapshot(snapshot(), threads);
    const message = { id: 2, group_id: 5, body: "b" };
    const next = run(
      state,
      event(11, "group.message_posted", { message }),
      event(12, "group.message_posted", { message }),
      event(13, "group.message_posted", { message: { id: 3, group_id: 6, body: "elsewhere" } }),
    );
    assert.deepEqual(
      next.threads.get(5).map((m) => m.id),
      [1, 2],
    );
    assert.ok(!next.threads.has(6));
  });

  test("post.approved replaces the waiting post; post.rejected marks it with why", () => {
    const state = facilitatorState({
      posts: [post({ id: 1, state: "pending" }), post({ id: 2, state: "pending" })],
    });
    const next = run(
      state,
      event(11, "post.approved", { post: post({ id: 1, state: "visible" }) }),
      event(12, "post.rejected", { post_id: 2, reason: "off-topic", note: "Try the parks board" }),
    );
    assert.equal(next.posts.get(1).state, "visible");
    assert.equal(next.posts.get(2).state, "rejected");
    assert.equal(next.posts.get(2).rejected_reason, "off-topic");
    assert.equal(next.posts.get(2).rejected_note, "Try the parks board");
  });

  test("posts.revealed brings every held-back post in", () => {
    const state = facilitatorState({ posts: [post({ id: 1, state: "silent" })] });
    const next = run(
      state,
      event(11, "posts.revealed", { posts: [post({ id: 1, state: "visible" }), post({ id: 2 })] }),
    );
    assert.equal(next.posts.get(1).state, "visible");
    assert.ok(next.posts.has(2));
  });

  test("post.merged: the duplicate leaves, the target and my dots carry on", () => {
    const state = fromSnapshot(
      snapshot({
        posts: [post({ id: 1 }), post({ id: 2 })],
        groups: [{ id: 5, idea_id: 2, member_ids: [1] }],
        my_dots: { 1: 1, 2: 2 },
        dots_spent: 3,
      }),
    );
    const into = post({ id: 1, support_count: 4 });
    const next = run(state, event(11, "post.merged", { from_id: 2, into }));
    assert.ok(!next.posts.has(2));
    assert.equal(next.posts.get(1).support_count, 4);
    assert.equal(next.merged.get(2), 1);
    assert.equal(myDotsOn(next, 1), 3);
    assert.equal(myDotsOn(next, 2), 0);
    assert.equal(next.dotsSpent, 3);
    // The target had no group: the duplicate's group now hangs on the target.
    assert.equal(next.groups.get(5).idea_id, 1);
  });

  test("post.merged into a post with its own group closes the duplicate's group", () => {
    const state = fromSnapshot(
      snapshot({
        posts: [post({ id: 1 }), post({ id: 2 })],
        groups: [
          { id: 5, idea_id: 2, member_ids: [1] },
          { id: 6, idea_id: 1, member_ids: [2] },
        ],
      }),
    );
    const into = post({ id: 1, group: { id: 6, name: "G", member_count: 2, closed: false } });
    const next = run(state, event(11, "post.merged", { from_id: 2, into }));
    assert.equal(next.groups.get(5).closed, true);
    assert.deepEqual(next.groups.get(5).member_ids, []);
    assert.equal(next.groups.get(6).idea_id, 1);
  });

  test("post.pinned pins and unpins; pinned posts come first", () => {
    const state = fromSnapshot(
      snapshot({ posts: [post({ id: 1 }), post({ id: 2 }), post({ id: 3 })] }),
    );
    const next = run(state, event(11, "post.pinned", { post_id: 1, pinned: true }));
    assert.deepEqual(
      postsNewestFirst(next).map((p) => p.id),
      [1, 3, 2],
    );
    assert.deepEqual(
      postsNewestFirst(state).map((p) => p.id),
      [3, 2, 1],
    );
    const unpinned = run(next, event(12, "post.pinned", { post_id: 1, pinned: false }));
    assert.equal(unpinned.posts.get(1).pinned, false);
    assert.deepEqual(
      pinnedFirst([{ id: 1 }, { id: 2, pinned: true }]).map((p) => p.id),
      [2, 1],
    );
  });

  test("post.reported counts reports for facilitators only", () => {
    const envelope = event(11, "post.reported", { post_id: 1, reports: 2 });
    assert.equal(run(facilitatorState(), envelope).staff.reports["1"], 2);
    assert.equal(run(fromSnapshot(snapshot()), envelope).staff, null);
  });

  test("participant.muted and participant.removed, of me and in the staff list", () => {
    const state = facilitatorState();
    let next = run(state, event(11, "participant.muted", { participant_id: 4, muted: true }));
    assert.deepEqual(next.staff.muted_ids, [4]);
    next = run(next, event(12, "participant.muted", { participant_id: 4, muted: true }));
    assert.deepEqual(next.staff.muted_ids, [4]);
    next = run(next, event(13, "participant.removed", { participant_id: 4 }));
    assert.deepEqual(next.staff.muted_ids, []);

    const mine = fromSnapshot(snapshot());
    const muted = run(mine, event(11, "participant.muted", { participant_id: 1, muted: true }));
    assert.equal(muted.me.muted, true);
    assert.equal(
      run(muted, event(12, "participant.muted", { participant_id: 1, muted: false })).me.muted,
      false,
    );
    assert.equal(
      run(mine, event(11, "participant.removed", { participant_id: 1 })).me.removed,
      true,
    );
    assert.equal(
      run(mine, event(11, "participant.removed", { participant_id: 2 })).me.removed,
      undefined,
    );
  });

  test("session.changed replaces the session; hiding dots blanks every count", () => {
    const state = fromSnapshot(snapshot({ posts: [post({ id: 1, dot_count: 4 })] }));
    const next = run(
      state,
      event(11, "session.changed", { session: { phase: "prioritise", dots_hidden: true } }),
    );
    assert.equal(next.session.phase, "prioritise");
    assert.equal(next.session.dot_budget, 3);
    assert.equal(next.posts.get(1).dot_count, null);
    assert.equal(run(state, event(11, "session.changed", {})).session, state.session);
  });

  test("dots.changed: my dots and what I have spent, the post's total unless hidden", () => {
    const state = facilitatorState({ posts: [post({ id: 1 })] });
    const me = FACILITATOR.id;
    let next = run(
      state,
      event(11, "dots.changed", { participant_id: me, post_id: 1, mine: 2, spent: 2, total: 5 }),
    );
    assert.equal(myDotsOn(next, 1), 2);
    assert.equal(next.dotsSpent, 2);
    assert.equal(dotsLeft(next), 1);
    assert.equal(next.posts.get(1).dot_count, 5);
    assert.equal(next.staff.dot_totals["1"], 5);
    next = run(
      next,
      event(12, "dots.changed", { participant_id: me, post_id: 1, mine: 0, spent: 0, total: 3 }),
    );
    assert.ok(!("1" in next.myDots));
    // Someone else's dots while they are hidden: only the facilitators' totals move.
    next = run(
      next,
      event(13, "session.changed", { session: { dots_hidden: true } }),
      event(14, "dots.changed", { participant_id: 2, post_id: 1, mine: 1, spent: 1, total: 4 }),
    );
    assert.equal(next.posts.get(1).dot_count, null);
    assert.equal(next.staff.dot_totals["1"], 4);
    assert.equal(next.dotsSpent, 0);
  });

  test("dots.revealed sets every post's count, 0 where none", () => {
    const state = facilitatorState({
      posts: [post({ id: 1, dot_count: null }), post({ id: 2, dot_count: null })],
    });
    const next = run(state, event(11, "dots.revealed", { totals: { 1: 6 } }));
    assert.equal(next.posts.get(1).dot_count, 6);
    assert.equal(next.posts.get(2).dot_count, 0);
    assert.deepEqual(next.staff.dot_totals, { 1: 6 });
  });

  test("proposal.changed: the same proposal replaces itself; an older one does not win", () => {
    const state = fromSnapshot(
      snapshot({ proposals: [{ id: 3, idea_id: 1, state: "submitted" }] }),
    );
    let next = run(
      state,
      event(11, "proposal.changed", { proposal: { id: 3, idea_id: 1, state: "decided" } }),
    );
    assert.equal(next.proposals.get(1).state, "decided");
    next = run(
      next,
      event(12, "proposal.changed", { proposal: { id: 2, idea_id: 1, state: "submitted" } }),
    );
    assert.equal(next.proposals.get(1).id, 3);
    next = run(
      next,
      event(13, "proposal.changed", { proposal: { id: 3, idea_id: 1, state: "withdrawn" } }),
    );
    next = run(
      next,
      event(14, "proposal.changed", { proposal: { id: 5, idea_id: 1, state: "draft" } }),
    );
    assert.equal(next.proposals.get(1).id, 5);
  });
});

describe("what the page may show", () => {
  test("a draft proposal only to its group's members and the facilitators", () => {
    const snap = {
      posts: [post({ id: 1 })],
      groups: [{ id: 5, idea_id: 1, member_ids: [1] }],
      proposals: [{ id: 3, idea_id: 1, group_id: 5, state: "draft" }],
    };
    assert.equal(shownProposal(fromSnapshot(snapshot(snap)), 1).id, 3);
    const outsider = fromSnapshot(snapshot({ ...snap, me: { id: 2, role: "participant" } }));
    assert.equal(shownProposal(outsider, 1), null);
    assert.equal(shownProposal(facilitatorState(snap), 1).id, 3);
    const submitted = {
      ...snap,
      proposals: [{ id: 3, idea_id: 1, group_id: 5, state: "submitted" }],
    };
    assert.equal(shownProposal(fromSnapshot(snapshot({ ...submitted, me: { id: 2 } })), 1).id, 3);
  });

  test("isOpen: only a visible post that is not hidden", () => {
    assert.ok(isOpen({}));
    assert.ok(isOpen({ state: "visible" }));
    for (const state of ["pending", "rejected", "silent"]) assert.ok(!isOpen({ state }));
    assert.ok(!isOpen({ state: "visible", hidden: { reason: "spam" } }));
  });

  test("spotlightPost is the session's post, if this client has it", () => {
    const state = fromSnapshot(
      snapshot({ posts: [post({ id: 1 })], session: { spotlight_post_id: 1 } }),
    );
    assert.equal(spotlightPost(state).id, 1);
    assert.equal(spotlightPost(run(state, event(11, "post.deleted", { post_id: 1 }))), null);
    assert.equal(spotlightPost(fromSnapshot(snapshot())), null);
  });

  test("isFacilitator: the role, until the link is withdrawn", () => {
    assert.ok(isFacilitator(facilitatorState()));
    assert.ok(!isFacilitator(fromSnapshot(snapshot())));
    assert.ok(!isFacilitator({ me: { role: "facilitator", revoked: true } }));
  });

  test("withSummary ignores a summary older than the one counted", () => {
    const state = fromSnapshot(snapshot({ seq: 10 }));
    assert.equal(withSummary(state, { hidden: 9 }, 9), state);
    assert.equal(withSummary(state, { hidden: 9 }, 10).moderation.hidden, 9);
  });
});

describe("the server's clock and the timer", () => {
  const NOW = Date.parse("2024-05-01T10:00:00Z");

  test("withServerTime and serverNow", () => {
    const state = withServerTime(fromSnapshot(snapshot()), "2024-05-01T10:00:05Z", NOW);
    assert.equal(state.serverOffset, 5000);
    assert.equal(serverNow(state, NOW), NOW + 5000);
    assert.equal(withServerTime(state, "not a time", NOW), state);
  });

  test("timerLeft counts down on the server's clock, never above what was set", () => {
    const timer = { ends_at: "2024-05-01T10:03:00Z", seconds: 180 };
    const state = fromSnapshot(snapshot({ session: { timer } }));
    assert.equal(timerLeft({ ...state, serverOffset: 0 }, NOW), 180);
    assert.equal(timerLeft({ ...state, serverOffset: 60_500 }, NOW), 120);
    // The clock told late says more than was set: capped.
    assert.equal(timerLeft({ ...state, serverOffset: -5000 }, NOW), 180);
    assert.equal(timerLeft({ ...state, serverOffset: 200_000 }, NOW), 0);
    assert.equal(timerLeft(fromSnapshot(snapshot()), NOW), null);
  });
});
