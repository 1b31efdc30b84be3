// A partial board (board/static/js/state.js): posts remember the seq they were loaded at,
// events change a post only after it, whole posts arriving live are added, and a page of
// board.posts merges in exact whether it was read before or after the state's seq.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import {
  KEEP,
  applyEvent,
  fromSnapshot,
  postIdsOf,
  withPage,
} from "../../board/static/js/state.js";
import { deepFreeze, event, post, snapshot } from "./helpers.mjs";

const FACILITATOR = { id: 9, role: "facilitator", name: "Fay" };

/** Apply events in turn to a frozen state: a reducer that writes to its input throws. */
function run(state, ...envelopes) {
  let next = state;
  for (const envelope of envelopes) next = applyEvent(deepFreeze(next), envelope);
  return next;
}

/** A state at `seq` whose envelopes from 1 on are all kept (it started at seq 0). */
function keptTo(seq, fields = {}) {
  let state = fromSnapshot(snapshot({ seq: 0, posts: [post({ id: 1 })], ...fields }));
  for (let s = 1; s <= seq; s += 1) state = applyEvent(state, event(s, "private"));
  return state;
}

const support = (seq, postId, count, participantId = 2) =>
  event(seq, "support.changed", {
    post_id: postId,
    participant_id: participantId,
    supported: true,
    count,
  });

describe("loadedAt and the window", () => {
  test("snapshot posts are loaded at its seq; the window is the snapshot's", () => {
    const window = { why: { 3: ["newest"] }, total: 40, complete: false, older: "c1" };
    const state = fromSnapshot(snapshot({ seq: 12, posts: [post({ id: 3 })], window }));
    assert.equal(state.posts.get(3).loadedAt, 12);
    assert.deepEqual(state.window, window);
  });

  test("a snapshot without a window holds every post", () => {
    const state = fromSnapshot(snapshot({ posts: [post({ id: 1 }), post({ id: 2 })] }));
    assert.deepEqual(state.window, { why: {}, total: 2, complete: true, older: null });
  });

  test("an event about a post not held changes nothing", () => {
    const state = fromSnapshot(snapshot({ posts: [post({ id: 1 })] }));
    const next = run(state, support(11, 99, 3), event(12, "post.pinned", { post_id: 99 }));
    assert.equal(next.posts, state.posts);
    assert.equal(next.seq, 12);
  });

  test("events carrying a whole post add it, loaded at the event's seq", () => {
    const state = fromSnapshot(snapshot({ posts: [] }));
    const next = run(
      state,
      event(11, "post.created", { post: post({ id: 5 }) }),
      event(12, "post.approved", { post: post({ id: 6 }) }),
      event(13, "post.restored", { post: post({ id: 7 }) }),
      event(14, "posts.revealed", { posts: [post({ id: 8 }), post({ id: 9 })] }),
      event(15, "post.merged", {
        from_id: 1,
        from_title: "x",
        from_author_id: 1,
        into: post({ id: 10 }),
      }),
      event(16, "post.updated", { post: post({ id: 11, kind: "skill" }) }),
    );
    const loaded = [...next.posts.values()].map((p) => [p.id, p.loadedAt]);
    assert.deepEqual(loaded.sort((a, b) => a[0] - b[0]), [
      [5, 11],
      [6, 12],
      [7, 13],
      [8, 14],
      [9, 14],
      [10, 15],
      [11, 16],
    ]);
  });

  test("a post changed in place keeps its loadedAt", () => {
    const state = fromSnapshot(snapshot({ seq: 10, posts: [post({ id: 1 })] }));
    const next = run(state, support(11, 1, 1));
    assert.equal(next.posts.get(1).support_count, 1);
    assert.equal(next.posts.get(1).loadedAt, 10);
  });

  test("the last KEEP envelopes applied are kept, in order", () => {
    let state = fromSnapshot(snapshot({ seq: 0 }));
    for (let seq = 1; seq <= KEEP + 5; seq += 1) {
      state = applyEvent(state, event(seq, "private"));
    }
    assert.equal(state.kept.length, KEEP);
    assert.equal(state.kept[0].seq, 6);
    assert.equal(state.kept.at(-1).seq, KEEP + 5);
  });
});

describe("postIdsOf", () => {
  const p = post({ id: 4 });
  const group = { id: 2, idea_id: 4, member_ids: [1] };
  /** Every event type in board/events.py, an envelope of it, and the posts it concerns. */
  const EXPECTED = {
    "post.created": [{ post: p }, [4]],
    "post.updated": [{ post: p }, [4]],
    "post.deleted": [{ post_id: 4, by: "author" }, null],
    "support.changed": [{ post_id: 4, participant_id: 2, supported: true, count: 1 }, [4]],
    "comment.created": [{ comment: { id: 1, post_id: 4 } }, [4]],
    "participant.renamed": [{ participant: { id: 3, name: "Bo" } }, null],
    "link.created": [{ link: { id: 1, target_id: 4 } }, [4]],
    "link.removed": [{ link_id: 1, target_id: 4 }, [4]],
    "group.created": [{ group }, [4]],
    "group.member_joined": [{ group, participant_id: 3 }, [4]],
    "group.member_left": [{ group, participant_id: 3 }, [4]],
    "group.coordinator_changed": [{ group, from_id: 1, to_id: 3 }, [4]],
    "group.renamed": [{ group }, [4]],
    "group.closed": [{ group }, [4]],
    "group.message_posted": [{ message: { id: 1, group_id: 2 } }, []],
    "post.hidden": [{ post_id: 4, reason: "spam" }, [4]],
    "post.restored": [{ post: p }, [4]],
    "facilitator.revoked": [{ participant_id: 9 }, null],
    "post.approved": [{ post: p }, [4]],
    "post.rejected": [{ post_id: 4, title: "x", reason: "spam", note: "" }, [4]],
    "posts.revealed": [{ posts: [p, post({ id: 5 })] }, [4, 5]],
    "post.merged": [{ from_id: 3, from_title: "x", from_author_id: 1, into: p }, [3, 4]],
    "post.pinned": [{ post_id: 4, pinned: true }, [4]],
    "post.reported": [{ post_id: 4, reason: "spam", reports: 1, hidden: false }, [4]],
    "participant.muted": [{ participant_id: 3, muted: true }, []],
    "participant.removed": [{ participant_id: 3 }, []],
    "session.changed": [{ session: {}, changed: ["phase"] }, []],
    "dots.changed": [{ post_id: 4, participant_id: 1, mine: 1, spent: 1, total: 1 }, [4]],
    "dots.revealed": [{ totals: { 4: 1 } }, null],
    "proposal.changed": [{ proposal: { id: 1, idea_id: 4 } }, []],
  };

  test("covers every event type board/events.py declares", () => {
    const source = readFileSync(new URL("../../board/events.py", import.meta.url), "utf8");
    const declared = [...source.matchAll(/type: ClassVar\[str\] = "([a-z._]+)"/g)].map((m) => m[1]);
    assert.ok(declared.length >= 29, "the event types were found");
    assert.deepEqual(declared.sort(), Object.keys(EXPECTED).sort());
  });

  for (const [type, [data, ids]] of Object.entries(EXPECTED)) {
    test(type, () => assert.deepEqual(postIdsOf(event(1, type, data)), ids));
  }

  test("an offer edited, or dots hidden, may change any post; a private event none", () => {
    assert.equal(postIdsOf(event(1, "post.updated", { post: post({ kind: "tool" }) })), null);
    const hiding = { session: {}, changed: ["dots_hidden"] };
    assert.equal(postIdsOf(event(1, "session.changed", hiding)), null);
    assert.deepEqual(postIdsOf(event(1, "private")), []);
    assert.deepEqual(postIdsOf(event(1, "something.new", { post_id: 4 })), []);
  });
});

describe("withPage", () => {
  test("adds the posts it does not hold, loaded at the page's seq", () => {
    const state = fromSnapshot(snapshot({ seq: 10, posts: [post({ id: 1 })] }));
    const { state: next, added, stale } = withPage(deepFreeze(state), {
      seq: 10,
      posts: [post({ id: 2 }), post({ id: 3 })],
    });
    assert.equal(stale, false);
    assert.deepEqual(added, [2, 3]);
    assert.deepEqual([...next.posts.keys()], [1, 2, 3]);
    assert.equal(next.posts.get(3).loadedAt, 10);
  });

  test("dedupes by id: a held post stays as events made it", () => {
    const start = fromSnapshot(snapshot({ seq: 10, posts: [post({ id: 1 })] }));
    const state = run(start, support(11, 1, 4));
    const held = state.posts.get(1);
    const { state: next, added } = withPage(state, {
      seq: 11,
      posts: [post({ id: 1, title: "older copy" })],
    });
    assert.deepEqual(added, []);
    assert.equal(next.posts.get(1), held);
  });

  test("a post merged away or already known as merged is not added", () => {
    const state = fromSnapshot(
      snapshot({ seq: 10, posts: [post({ id: 1 }), post({ id: 2, merged_into_id: 1 })] }),
    );
    const page = { seq: 10, posts: [post({ id: 2 }), post({ id: 3, merged_into_id: 1 })] };
    assert.deepEqual(withPage(state, page).added, []);
  });

  test("a page older than the state: the envelopes kept after its seq replay on its posts", () => {
    // The page was read at seq 14: it does not show the support at 15 nor what follows.
    const state = run(
      keptTo(14),
      support(15, 2, 1),
      event(16, "comment.created", { comment: { id: 7, post_id: 2, body: "Yes" } }),
      event(17, "post.deleted", { post_id: 3, by: "author" }),
      event(18, "post.pinned", { post_id: 1, pinned: true }),
    );
    const page = {
      seq: 14,
      posts: [post({ id: 2, support_count: 0 }), post({ id: 3 }), post({ id: 4 })],
    };
    const { state: next, added, stale } = withPage(deepFreeze(state), page);
    assert.equal(stale, false);
    assert.deepEqual(added, [2, 4], "post 3 was deleted after the page was read");
    assert.equal(next.posts.get(2).support_count, 1);
    assert.deepEqual(next.posts.get(2).comments.map((c) => c.id), [7]);
    assert.equal(next.posts.get(4).support_count, 0);
    assert.equal(next.posts.get(1).pinned, true, "the held post is left alone");
    assert.equal(next.seq, 18);
    assert.equal(next.kept, state.kept, "the kept envelopes stay as they were");
  });

  test("envelopes at or before the page's seq are not replayed on its posts", () => {
    const state = run(keptTo(10), support(11, 2, 5), support(12, 2, 6, 3));
    const page = { seq: 12, posts: [post({ id: 2, support_count: 6 })] };
    const { state: next } = withPage(state, page);
    assert.equal(next.posts.get(2).support_count, 6);
    const older = withPage(state, { seq: 11, posts: [post({ id: 2, support_count: 5 })] });
    assert.equal(older.state.posts.get(2).support_count, 6);
  });

  test("a participant's replay drops a post hidden after the page was read", () => {
    const state = run(keptTo(10), event(11, "post.hidden", { post_id: 2, reason: "spam" }));
    const { added } = withPage(state, { seq: 10, posts: [post({ id: 2 })] });
    assert.deepEqual(added, []);
  });

  test("a facilitator's page brings its staff counts, and replays them too", () => {
    const staff = { dot_totals: {}, reports: {}, muted_ids: [] };
    const state = run(
      keptTo(10, { me: FACILITATOR, staff }),
      event(11, "post.reported", { post_id: 2, reason: "spam", reports: 2, hidden: false }),
    );
    const page = {
      seq: 10,
      posts: [post({ id: 2 }), post({ id: 3 })],
      staff: { dot_totals: { 2: 1, 3: 4 }, reports: { 2: 1 } },
    };
    const { state: next } = withPage(state, page);
    assert.deepEqual(next.staff.reports, { 2: 2 });
    assert.deepEqual(next.staff.dot_totals, { 2: 1, 3: 4 });
    assert.deepEqual(next.staff.muted_ids, []);
  });

  test("stale when the kept envelopes do not reach back to the page's seq", () => {
    let state = fromSnapshot(snapshot({ seq: 0 }));
    for (let seq = 1; seq <= KEEP + 20; seq += 1) {
      state = applyEvent(state, event(seq, "private"));
    }
    const page = { seq: 19, posts: [post({ id: 2 })] };
    const result = withPage(state, page);
    assert.equal(result.stale, true);
    assert.equal(result.state, state, "nothing merged");
    assert.equal(withPage(state, { ...page, seq: 20 }).stale, false, "20 is kept from 21");
  });

  test("stale when a fresh snapshot came after the page was asked for", () => {
    const state = fromSnapshot(snapshot({ seq: 30 }));
    assert.equal(withPage(state, { seq: 29, posts: [post({ id: 2 })] }).stale, true);
    assert.equal(withPage(state, { seq: 29, posts: [] }).stale, false, "nothing to add");
  });

  test("a page newer than the state: the events up to its seq leave its posts alone", () => {
    const state = fromSnapshot(snapshot({ seq: 10, me: { id: 1, role: "participant" } }));
    const page = {
      seq: 13,
      posts: [post({ id: 2, support_count: 2, title: "Edited", pinned: true })],
    };
    const { state: paged } = withPage(state, page);
    assert.equal(paged.ahead, 13);
    const next = run(
      paged,
      support(11, 2, 1),
      event(12, "post.updated", { post: post({ id: 2, title: "Before the edit" }) }),
      event(13, "dots.changed", { post_id: 2, participant_id: 1, mine: 1, spent: 1, total: 1 }),
      event(14, "post.pinned", { post_id: 2, pinned: false }),
    );
    const p = next.posts.get(2);
    assert.equal(p.support_count, 2);
    assert.equal(p.title, "Edited");
    assert.equal(p.pinned, false, "the event after the page's seq applies");
    assert.equal(next.dotsSpent, 1, "what is not the post's still changes");
    assert.equal(next.seq, 14);
  });

  test("a page newer than the state: a post it holds deleted later still goes", () => {
    const { state } = withPage(fromSnapshot(snapshot({ seq: 10 })), {
      seq: 12,
      posts: [post({ id: 2 })],
    });
    const next = run(
      state,
      support(11, 2, 1),
      event(12, "private"),
      event(13, "post.deleted", { post_id: 2, by: "author" }),
    );
    assert.equal(next.posts.has(2), false);
  });
});
