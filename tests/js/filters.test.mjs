// The feed as a person asked to see it (board/static/js/filters.js): the same rules as
// the server's arrange, so the page looks the same before and after the script runs.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { SORTS, addressFor, arrange, readView, shows } from "../../board/static/js/filters.js";

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
  test("reads kind, tag and sort; empty fields are no filter", () => {
    assert.deepEqual(readView(form({ kind: "idea", tag: "parks", sort: "supported" })), {
      kind: "idea",
      tag: "parks",
      sort: "supported",
    });
    assert.deepEqual(readView(form({ kind: "", tag: "", sort: "newest" })), {
      kind: null,
      tag: null,
      sort: "newest",
    });
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
      addressFor({ kind: "idea", tag: "parks & play", sort: "supported" }, location),
      "/b/ABCDEF?kind=idea&tag=parks+%26+play&sort=supported#post-3",
    );
    assert.equal(
      addressFor({ kind: null, tag: null, sort: "supported" }, { pathname: "/b/X", hash: "" }),
      "/b/X?sort=supported",
    );
  });
});
