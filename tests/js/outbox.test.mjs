// The outbox (board/static/js/board_words.js): writes kept per board and person until their
// ack, which refusals are worth retrying, and how writes in flight change the feed.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  Outbox,
  newestIds,
  pendingView,
  worthRetrying,
} from "../../board/static/js/board_words.js";
import { fromSnapshot } from "../../board/static/js/state.js";
import { FakeStorage, blockedStorage, post, snapshot, withStorage } from "./helpers.mjs";

const ME = 1;

function op(name, payload, fields = {}) {
  return { op_id: `op-${name}-${Math.random()}`, name, payload, ...fields };
}

describe("worthRetrying", () => {
  test("no answer, not_joined and internal are kept for another try", () => {
    assert.equal(worthRetrying(null), true);
    assert.equal(worthRetrying(undefined), true);
    assert.equal(worthRetrying({ code: "not_joined" }), true);
    assert.equal(worthRetrying({ code: "internal" }), true);
  });
  test("a refusal by the session or the rules is final", () => {
    for (const code of [
      "board_locked",
      "board_closed",
      "posting_paused",
      "muted",
      "slow_down",
      "invalid",
    ]) {
      assert.equal(worthRetrying({ code }), false, code);
    }
  });
});

describe("Outbox storage", () => {
  test("keeps writes per board and person, oldest first, without board and op id in the payload", () => {
    const storage = new FakeStorage();
    withStorage(storage, () => {
      const box = new Outbox("ABCDEF", ME);
      box.add({
        op_id: "a",
        name: "post.create",
        payload: { board: "ABCDEF", op_id: "a", title: "Bench" },
        at: 5,
      });
      box.add({ op_id: "b", name: "support.toggle", payload: { post_id: 3 }, before: false });
      assert.deepEqual(
        box.list().map((o) => o.op_id),
        ["a", "b"],
      );
      assert.deepEqual(box.list()[0].payload, { title: "Bench" });
      assert.equal(box.list()[1].before, false);
      // Another person on the same device, or another board, has its own outbox.
      assert.deepEqual(new Outbox("ABCDEF", 2).list(), []);
      assert.deepEqual(new Outbox("XYZXYZ", ME).list(), []);
      // A reload reads the same writes back.
      assert.deepEqual(
        new Outbox("ABCDEF", ME).list().map((o) => o.op_id),
        ["a", "b"],
      );
      const stored = JSON.parse(storage.getItem("common-ground:outbox:ABCDEF:1"));
      assert.equal(stored.v, 1);
    });
  });

  test("remove drops one write; the last one gone leaves nothing stored", () => {
    const storage = new FakeStorage();
    withStorage(storage, () => {
      const box = new Outbox("ABCDEF", ME);
      box.add({ op_id: "a", name: "x", payload: {} });
      box.add({ op_id: "b", name: "y", payload: {} });
      box.remove("a");
      assert.deepEqual(
        box.list().map((o) => o.op_id),
        ["b"],
      );
      box.remove("nope");
      assert.deepEqual(
        box.list().map((o) => o.op_id),
        ["b"],
      );
      box.remove("b");
      assert.equal(storage.getItem("common-ground:outbox:ABCDEF:1"), null);
    });
  });

  test("a stored outbox of another version, or broken, is ignored", () => {
    const key = "common-ground:outbox:ABCDEF:1";
    for (const value of [
      JSON.stringify({ v: 2, ops: [{ op_id: "a" }] }),
      JSON.stringify({ v: 1 }),
      "[]",
    ]) {
      withStorage(new FakeStorage({ [key]: value }), () => {
        assert.deepEqual(new Outbox("ABCDEF", ME).list(), [], value);
      });
    }
  });

  test("with storage blocked the writes live in memory", () => {
    withStorage(blockedStorage, () => {
      const box = new Outbox("ABCDEF", ME);
      box.add({ op_id: "a", name: "x", payload: {} });
      box.add({ op_id: "b", name: "y", payload: {} });
      assert.deepEqual(
        box.list().map((o) => o.op_id),
        ["a", "b"],
      );
      box.remove("a");
      assert.deepEqual(
        box.list().map((o) => o.op_id),
        ["b"],
      );
    });
  });
});

describe("newestIds", () => {
  test("the highest post and comment ids", () => {
    const state = fromSnapshot(
      snapshot({
        posts: [post({ id: 4, comments: [{ id: 9 }] }), post({ id: 7, comments: [{ id: 2 }] })],
      }),
    );
    assert.deepEqual(newestIds(state), { post: 7, comment: 9 });
    assert.deepEqual(newestIds(fromSnapshot(snapshot())), { post: 0, comment: 0 });
  });
});

describe("pendingView", () => {
  const base = () =>
    fromSnapshot(
      snapshot({
        posts: [
          post({ id: 1, helpers: [{ id: 50, target_id: 1 }], group: { id: 5 } }),
          post({ id: 2, comments: [{ id: 20, body: "old", author: { id: ME } }] }),
        ],
        groups: [{ id: 5, idea_id: 1, member_ids: [] }],
      }),
    );

  test("a new post not yet on the board shows as a pending card", () => {
    const create = op("post.create", { kind: "idea", title: "Bench" }, { after: { post: 2 } });
    const view = pendingView([create], base(), ME);
    assert.deepEqual(view.creates, [create]);
  });

  test("its event came before its ack: the real post is shown, not both", () => {
    const state = fromSnapshot(
      snapshot({
        posts: [post({ id: 1 }), post({ id: 3, title: "Bench  by the pond ", author: { id: ME } })],
      }),
    );
    const create = op(
      "post.create",
      { kind: "idea", title: "Bench by the pond" },
      { after: { post: 1 } },
    );
    assert.deepEqual(pendingView([create], state, ME).creates, []);
    // Someone else's post saying the same, or one older than the write, is not it.
    const older = op(
      "post.create",
      { kind: "idea", title: "Bench by the pond" },
      { after: { post: 3 } },
    );
    assert.deepEqual(pendingView([older], state, ME).creates, [older]);
    assert.deepEqual(pendingView([create], state, 2).creates, [create]);
    // Two writes saying the same claim one post each.
    const twice = op(
      "post.create",
      { kind: "idea", title: "Bench by the pond" },
      { after: { post: 1 } },
    );
    assert.deepEqual(pendingView([create, twice], state, ME).creates, [twice]);
  });

  test("an acked post stays pending until its event has been applied", () => {
    const acked = op(
      "post.create",
      { kind: "idea", title: "Bench" },
      { result: { post: { id: 9 } } },
    );
    assert.deepEqual(pendingView([acked], base(), ME).creates, [acked]);
    const withIt = fromSnapshot(snapshot({ posts: [post({ id: 9, title: "Bench" })] }));
    assert.deepEqual(pendingView([acked], withIt, ME).creates, []);
  });

  test("a comment is Sending… until it is on the post", () => {
    const comment = op(
      "comment.create",
      { post_id: 2, body: "new one" },
      { after: { comment: 20 } },
    );
    assert.deepEqual(pendingView([comment], base(), ME).posts.get(2).comments, [comment]);
    const arrived = fromSnapshot(
      snapshot({
        posts: [post({ id: 2, comments: [{ id: 21, body: "new one", author: { id: ME } }] })],
      }),
    );
    assert.equal(pendingView([comment], arrived, ME).posts.get(2), undefined);
    const onGone = op("comment.create", { post_id: 99, body: "x" });
    assert.equal(pendingView([onGone], base(), ME).posts.size, 0);
  });

  test("support: the last tap decides, the ack's answer over the button's", () => {
    const tap = op("support.toggle", { post_id: 1 }, { before: false });
    assert.equal(pendingView([tap], base(), ME).posts.get(1).supported, true);
    const untap = op("support.toggle", { post_id: 1 }, { before: true });
    assert.equal(pendingView([tap, untap], base(), ME).posts.get(1).supported, false);
    const acked = op(
      "support.toggle",
      { post_id: 1 },
      { before: true, result: { supported: true } },
    );
    assert.equal(pendingView([acked], base(), ME).posts.get(1).supported, true);
  });

  test("edits merge; a delete, help, unlink, join and leave flag their post", () => {
    const view = pendingView(
      [
        op("post.update", { post_id: 2, title: "A" }),
        op("post.update", { post_id: 2, body: "B" }),
        op("post.delete", { post_id: 2 }),
        op("link.create", { post_id: 1, offer_id: 7 }),
        op("link.remove", { link_id: 50 }),
        op("group.join", { post_id: 1 }),
        op("group.leave", { group_id: 5 }),
      ],
      base(),
      ME,
    );
    assert.deepEqual(view.posts.get(2).edit, { title: "A", body: "B" });
    assert.equal(view.posts.get(2).deleting, true);
    const idea = view.posts.get(1);
    assert.equal(idea.helping, true);
    assert.deepEqual(idea.unlinking, [50]);
    assert.equal(idea.joining, true);
    assert.equal(idea.leaving, true);
  });

  test("writes about posts that are not here change nothing", () => {
    const view = pendingView(
      [
        op("link.create", { post_id: 99 }),
        op("link.remove", { link_id: 12345 }),
        op("group.join", { post_id: 99 }),
        op("group.leave", { group_id: 77 }),
        op("post.hide", { post_id: 99 }),
        op("dot.place", { post_id: 99 }),
      ],
      base(),
      ME,
    );
    assert.equal(view.posts.size, 0);
  });

  test("a facilitator's writes show as flags; dots on their way add up", () => {
    const view = pendingView(
      [
        op("post.hide", { post_id: 1 }),
        op("post.report", { post_id: 1 }),
        op("post.restore", { post_id: 2 }),
        op("post.approve", { post_id: 2 }),
        op("post.reject", { post_id: 2 }),
        op("dot.place", { post_id: 1 }),
        op("dot.place", { post_id: 1 }),
        op("dot.take_back", { post_id: 1 }),
      ],
      base(),
      ME,
    );
    assert.equal(view.posts.get(1).hiding, true);
    assert.equal(view.posts.get(1).reporting, true);
    assert.equal(view.posts.get(1).dots, 1);
    assert.equal(view.posts.get(2).restoring, true);
    assert.equal(view.posts.get(2).approving, true);
    assert.equal(view.posts.get(2).rejecting, true);
  });
});
