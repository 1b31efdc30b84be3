// The console's layout (board/static/js/console_layout.js): which part of the console the
// navigation marks as in view, and which part a URL's fragment names.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { currentSection, partNamed } from "../../board/static/js/console_layout.js";

/** Parts of `heights` px, one under the other, the first `scrolled` px above the top. */
function parts(heights, scrolled = 0) {
  let top = -scrolled;
  return Object.entries(heights).map(([id, height]) => {
    const part = { id, top, bottom: top + height };
    top += height;
    return part;
  });
}

const VIEW = { line: 200, height: 768, atBottom: false, chosen: null };

describe("currentSection", () => {
  test("no parts, no part in view", () => {
    assert.equal(currentSection([], VIEW), null);
  });

  test("the first part while none has reached the line under the bar", () => {
    const below = parts({ queue: 300, posts: 900 }, -400); // the page's header above them
    assert.equal(currentSection(below, VIEW), "queue");
  });

  test("the last part whose top has passed the line", () => {
    const page = parts({ queue: 300, posts: 900, people: 600, log: 400 }, 0);
    assert.equal(currentSection(page, VIEW), "queue");
    assert.equal(currentSection(parts({ queue: 300, posts: 900 }, 150), VIEW), "posts");
    // A part exactly at the line is in view.
    assert.equal(currentSection(parts({ queue: 200, posts: 900 }, 0), VIEW), "posts");
    assert.equal(currentSection(page.slice(0, 2), { ...VIEW, line: 299 }), "queue");
  });

  test("at the end of the page, the part chosen in the navigation if it shows", () => {
    // Scrolled as far as it goes: team and log both show, neither reached the line.
    const end = parts({ posts: 2000, team: 250, log: 150 }, 1650);
    const atEnd = { ...VIEW, atBottom: true };
    assert.equal(currentSection(end, { ...atEnd, chosen: "team" }), "team");
    assert.equal(currentSection(end, { ...atEnd, chosen: "log" }), "log");
    // Nothing chosen (scrolled there by hand): the last part, as it cannot come higher.
    assert.equal(currentSection(end, atEnd), "log");
    // The choice is for a part out of view (scrolled on since): the last part.
    assert.equal(currentSection(end, { ...atEnd, chosen: "queue" }), "log");
    // Not at the end: the line decides, whatever was chosen.
    assert.equal(currentSection(end, { ...VIEW, chosen: "log" }), "posts");
  });

  test("a part that ends above the line does not show", () => {
    const end = parts({ posts: 2000, team: 100, log: 600 }, 1950);
    assert.equal(currentSection(end, { ...VIEW, atBottom: true, chosen: "team" }), "log");
  });
});

describe("partNamed", () => {
  const ids = ["queue", "posts-panel", "people"];

  test("a fragment naming a part", () => {
    assert.equal(partNamed("#people", ids), "people");
    assert.equal(partNamed("posts-panel", ids), "posts-panel");
    assert.equal(partNamed("#posts%2Dpanel", ids), "posts-panel");
  });

  test("anything else names none", () => {
    assert.equal(partNamed("", ids), null);
    assert.equal(partNamed(null, ids), null);
    assert.equal(partNamed("#", ids), null);
    assert.equal(partNamed("#post-12", ids), null);
    assert.equal(partNamed("#%E0%A4%A", ids), null); // not valid percent-encoding
  });
});
