// The card view and its render in the browser's code, against the fixture the server
// shares (tests/test_cards.py checks board/web/cards.py against the same file).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import Mustache from "../../board/static/vendor/mustache/mustache.mjs";
import {
  cardView,
  dayText,
  LABELS,
  membersText,
  shortText,
  words,
} from "../../board/static/js/card_view.js";

const root = new URL("../../", import.meta.url);
const fixture = JSON.parse(readFileSync(new URL("tests/fixtures/card_views.json", root), "utf8"));
const template = readFileSync(new URL(fixture.template, root), "utf8");
const renderSource = readFileSync(new URL("board/static/js/render.js", root), "utf8");

// render.js needs a document to import, so its escape (chevron's) is taken from its source.
const escapeSource = /export function escapeHtml\(value\) \{\n([\s\S]*?)\n\}/.exec(renderSource);
const escapeHtml = new Function("value", escapeSource[1]);

for (const item of fixture.cases) {
  test(`the browser makes the shared view and markup: ${item.name}`, () => {
    const view = cardView(item.post, item.viewer, fixture.strings, item.ui);
    assert.deepEqual(view, item.view);
    assert.equal(Mustache.render(template, view, {}, { escape: escapeHtml }), item.html);
  });
}

test("render.js renders with the same escape", () => {
  assert.match(renderSource, /Mustache\.render\(text, view, \{\}, \{ escape: escapeHtml \}\)/);
  assert.equal(escapeHtml(`<a href="x">&'`), "&lt;a href=&quot;x&quot;&gt;&amp;'");
});

test("labels come from the catalogue", () => {
  for (const key of LABELS) assert.ok(key in fixture.strings, key);
});

test("words: placeholders, plurals and reasons", () => {
  const w = words({
    members_one: "{count} member",
    members_other: "{count} members",
    reason_off_topic: "Off-topic",
    x: "{a} and {b}",
  });
  assert.equal(w.t("x", { a: 1 }), "1 and {b}");
  assert.equal(w.tn("members", 1), "1 member");
  assert.equal(w.tn("members", 0), "0 members");
  assert.equal(w.reason("off-topic"), "Off-topic");
  assert.equal(w.reason("other thing"), "other thing");
  assert.equal(w.t("missing"), "missing");
});

test("dates, shortened text and members", () => {
  assert.equal(dayText("2026-12-03"), "3 December 2026");
  assert.equal(dayText("soon"), "soon");
  assert.equal(shortText("a".repeat(160)), "a".repeat(160));
  assert.equal(shortText("word ".repeat(40)), `${"word ".repeat(31).trimEnd()}…`);
  const w = words({ members_one: "{count} member", members_other: "{count} members" });
  assert.equal(membersText(w, null, 2), "2 members");
  assert.equal(membersText(w, { member_ids: [1], members: [{ name: null }] }), "1 member: anonymous");
});
