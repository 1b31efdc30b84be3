// The composer's similar posts, worked out without the DOM (board/static/js/composer_similar.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { similarText, supportNow } from "../../board/static/js/composer_similar.js";
import { useStrings } from "../../board/static/js/i18n.js";

useStrings({
  similar_ideas_one: "1 similar idea",
  similar_ideas_other: "{count} similar ideas",
  similar_offers_one: "1 similar offer",
  similar_offers_other: "{count} similar offers",
  similar_needs_one: "1 similar need",
  similar_needs_other: "{count} similar needs",
});

test("the region says nothing for no similar posts, and words the kind", () => {
  assert.equal(similarText("idea", 0), "");
  assert.equal(similarText("idea", 1), "1 similar idea");
  assert.equal(similarText("idea", 3), "3 similar ideas");
  assert.equal(similarText("skill", 2), "2 similar offers");
  assert.equal(similarText("tool", 1), "1 similar offer");
  assert.equal(similarText("need", 2), "2 similar needs");
});

const post = { id: 7, support_count: 2, supporter_ids: [3, 4] };
const toggle = (postId, extra = {}) => ({
  name: "support.toggle",
  payload: { post_id: postId },
  ...extra,
});

test("support comes from the board's copy when the page holds the post", () => {
  const held = { id: 7, support_count: 3, supporter_ids: [3, 4, 9] };
  assert.deepEqual(supportNow(post, { held, ops: new Map(), meId: 9 }), {
    supported: true,
    count: 3,
  });
});

test("else from the person's answered toggle, else from the answer's post", () => {
  assert.deepEqual(supportNow(post, { ops: new Map(), meId: 9 }), { supported: false, count: 2 });
  const answered = new Map([[7, { supported: true, count: 3 }]]);
  assert.deepEqual(supportNow(post, { answered, ops: new Map(), meId: 9 }), {
    supported: true,
    count: 3,
  });
});

test("each toggle in flight flips it; answered ones and other posts do not", () => {
  const ops = new Map([
    ["a", toggle(7)],
    ["b", toggle(8)],
    ["c", toggle(7, { result: { supported: true } })],
  ]);
  assert.deepEqual(supportNow(post, { ops, meId: 9 }), { supported: true, count: 3 });
  assert.deepEqual(supportNow(post, { ops, meId: 3 }), { supported: false, count: 1 });
  ops.set("d", toggle(7));
  assert.deepEqual(supportNow(post, { ops, meId: 9 }), { supported: false, count: 2 });
});
