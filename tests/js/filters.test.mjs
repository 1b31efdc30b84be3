// The feed as a person asked to see it (board/static/js/board_words.js): the same rules as
// the server's arrange, so the page looks the same before and after the script runs.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  SORTS,
  addressFor,
  arrange,
  isFirstView,
  pageQuery,
  readView,
  shows,
  viewKey,
} from "../../board/static/js/board_words.js";

const POSTS = [
  { id: 1, kind: "idea", tag: "parks", support_count: 5 },
  { id: 2, kind: "need", tag: "parks", support_count: 1 },
  { id: 3, kind: "idea", tag: "roads", support_count: 5, pinned: true },
  { id: 4, kind: "skill", tag: null, support_count: 9 },
  { id: 5, kind: "idea", tag: "roads", support_count: 0 },
];

const ids = (posts) => posts.map((p) => p.id);

/** A form as readView reads it: elements by name with a value. */
function form(values) {
  const elements = {};
  for (const [name, value] of Object.entries(values)) elements[name] = { value };
  return { elements };
}

describe("readView", () => {
  test("reads kind, tag, words and sort; empty fields are no filter", () => {
    const asked = { kind: "idea", tag: "parks", q: "  bench ", sort: "supported" };
    assert.deepEqual(readView(form(asked)), {
      kind: "idea",
      tag: "parks",
      q: "bench",
      sort: "supported",
    });
    assert.deepEqual(readView(form({ kind: "", tag: "", q: "   ", sort: "newest" })), {
      kind: null,
      tag: null,
      q: null,
      sort: "newest",
    });
    assert.equal(readView(form({ sort: "newest" })).q, null, "a form without a search box");
  });

  test("an unknown or missing sort is newest", () => {
    assert.equal(readView(form({ sort: "loudest" })).sort, "newest");
    assert.equal(readView(form({})).sort, "newest");
    assert.deepEqual(SORTS, ["newest", "supported"]);
  });
});

describe("shows", () => {
  test("by kind and by tag, both or neither", () => {
    const post = POSTS[0];
    assert.ok(shows({ kind: null, tag: null }, post));
    assert.ok(shows({ kind: "idea", tag: null }, post));
    assert.ok(!shows({ kind: "need", tag: null }, post));
    assert.ok(shows({ kind: "idea", tag: "parks" }, post));
    assert.ok(!shows({ kind: "idea", tag: "roads" }, post));
  });

  test("by words in the title or the body, whatever the case", () => {
    const post = { kind: "idea", tag: null, title: "A Bench by the pond", body: "Shade too" };
    assert.ok(shows({ q: "bench" }, post));
    assert.ok(shows({ q: "SHADE" }, post));
    assert.ok(!shows({ q: "pond shade" }, post), "not across the title and the body");
    assert.ok(!shows({ q: "bench", kind: "need" }, post));
    assert.ok(shows({ q: "x" }, { ...post, title: "x", body: null }));
  });
});

describe("views and their pages", () => {
  const first = { kind: null, tag: null, q: null, sort: "newest" };

  test("the first screen's view is the unfiltered newest", () => {
    assert.ok(isFirstView(first));
    assert.ok(!isFirstView({ ...first, sort: "supported" }));
    assert.ok(!isFirstView({ ...first, q: "bench" }));
    assert.ok(!isFirstView({ ...first, tag: "parks" }));
  });

  test("one key per view", () => {
    assert.equal(viewKey(first), viewKey({ ...first }));
    assert.notEqual(viewKey(first), viewKey({ ...first, kind: "idea" }));
    assert.notEqual(viewKey({ ...first, tag: "a" }), viewKey({ ...first, q: "a" }));
  });

  test("what board.posts is asked: the view, after a cursor", () => {
    const view = { kind: "need", tag: "parks", q: "bench", sort: "supported" };
    assert.deepEqual(pageQuery(view, "s3-40"), {
      kind: "need",
      tag: "parks",
      q: "bench",
      sort: "supported",
      after: "s3-40",
      limit: null,
    });
    assert.equal(pageQuery(view).after, null);
  });
});

describe("arrange", () => {
  test("newest first, pinned on top", () => {
    assert.deepEqual(
      ids(arrange(POSTS, { kind: null, tag: null, sort: "newest" })),
      [3, 5, 4, 2, 1],
    );
  });

  test("most supported, then newest, pinned on top", () => {
    assert.deepEqual(
      ids(arrange(POSTS, { kind: null, tag: null, sort: "supported" })),
      [3, 4, 1, 2, 5],
    );
  });

  test("filters before ordering, and leaves its input alone", () => {
    const input = [...POSTS];
    assert.deepEqual(
      ids(arrange(input, { kind: "idea", tag: null, sort: "supported" })),
      [3, 1, 5],
    );
    assert.deepEqual(ids(arrange(input, { kind: null, tag: "parks", sort: "newest" })), [2, 1]);
    assert.deepEqual(ids(input), [1, 2, 3, 4, 5]);
  });
});

describe("addressFor", () => {
  const location = { pathname: "/b/ABCDEF", hash: "#post-3" };

  test("leaves out empty filters and the default sort, keeps the hash", () => {
    assert.equal(
      addressFor({ kind: null, tag: null, sort: "newest" }, location),
      "/b/ABCDEF#post-3",
    );
    assert.equal(
      addressFor({ kind: "idea", tag: "parks & play", q: "a bench", sort: "supported" }, location),
      "/b/ABCDEF?kind=idea&tag=parks+%26+play&q=a+bench&sort=supported#post-3",
    );
    assert.equal(
      addressFor({ kind: null, tag: null, sort: "supported" }, { pathname: "/b/X", hash: "" }),
      "/b/X?sort=supported",
    );
  });
});
