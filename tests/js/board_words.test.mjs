// What the board page says, worked out without the DOM (board/static/js/board_words.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  clock,
  composerReason,
  connectionBanner,
  decisionsArrived,
  dotsLeft,
  errorText,
  phaseText,
  writeBlock,
} from "../../board/static/js/board_words.js";
import { useStrings } from "../../board/static/js/i18n.js";

useStrings({
  phase_gather: "Sharing ideas",
  phase_discuss: "Discussing",
  phase_prioritise_one: "Prioritising: place your dot",
  phase_prioritise_other: "Prioritising: place your {count} dots",
  phase_closed: "Closed: thank you",
  removed: "Removed",
  composer_closed: "Closed",
  composer_locked: "Paused",
  composer_prioritising: "Posts paused",
  composer_muted: "Muted",
  signed_out: "Signed out.",
  join_again: "Join again",
  link_withdrawn: "Link withdrawn.",
  reload: "Reload",
  live_unavailable: "Stopped",
  connection_lost: "Lost",
  waiting_one: "1 waiting",
  waiting_other: "{count} waiting",
  connecting: "Connecting",
  back_online: "Back online",
  error_slow_down_one: "Wait 1 second",
  error_slow_down_other: "Wait {count} seconds",
  error_board_locked: "Locked",
  failed: "Failed",
});

test("the phase in words", () => {
  assert.equal(phaseText({ phase: "prioritise", dot_budget: 1 }), "Prioritising: place your dot");
  assert.equal(phaseText({ phase: "prioritise", dot_budget: 3 }), "Prioritising: place your 3 dots");
  assert.equal(phaseText({ phase: "discuss" }), "Discussing");
  assert.equal(phaseText({ phase: "something new" }), "Sharing ideas");
});

test("the clock and dots left", () => {
  assert.equal(clock(245), "4:05");
  assert.equal(clock(0), "0:00");
  assert.equal(dotsLeft(3, 1, 1), 1);
  assert.equal(dotsLeft(3, 3, 1), 0);
});

test("who may write, and why the composer is closed", () => {
  const open = { phase: "gather", locked: false };
  assert.equal(writeBlock(open, {}, false), null);
  assert.equal(writeBlock({ ...open, locked: true }, {}, false), "locked");
  assert.equal(writeBlock({ phase: "closed", locked: true }, {}, false), "closed");
  assert.equal(writeBlock(open, { removed: true }, false), "removed");
  assert.equal(writeBlock({ phase: "closed" }, { removed: true }, true), null);
  assert.equal(composerReason(open, null, false, false), null);
  assert.equal(composerReason(open, "locked", false, false), "Paused");
  assert.equal(composerReason(open, "removed", false, false), "Removed");
  assert.equal(composerReason({ phase: "prioritise" }, null, false, false), "Posts paused");
  assert.equal(composerReason({ phase: "prioritise" }, null, true, false), null);
  assert.equal(composerReason(open, null, false, true), "Muted");
});

test("the connection banner", () => {
  const base = { link: "online", lost: false, backOnline: false, slow: false, waiting: 0 };
  const url = "/b/ABC";
  assert.deepEqual(connectionBanner({ ...base, boardUrl: url }), {
    state: "online",
    tone: "",
    parts: [],
  });
  assert.deepEqual(connectionBanner({ ...base, link: "offline", lost: true, waiting: 2 }), {
    state: "offline",
    tone: "offline",
    parts: ["Lost", " 2 waiting"],
  });
  assert.equal(connectionBanner({ ...base, link: "connecting", slow: true }).tone, "waiting");
  assert.deepEqual(connectionBanner({ ...base, backOnline: true }).parts, ["Back online"]);
  const refused = (code, staff = false) =>
    connectionBanner({ ...base, link: "refused", refusal: { code }, staff, boardUrl: url });
  assert.deepEqual(refused("not_joined").parts, [
    "Signed out. ",
    { href: "/b/ABC/join", text: "Join again" },
  ]);
  assert.deepEqual(refused("access_revoked").parts, ["Removed"]);
  assert.deepEqual(refused("access_revoked", true).parts, [
    "Link withdrawn. ",
    { href: "/b/ABC", text: "Reload" },
  ]);
  assert.equal(refused("other").state, "offline");
  assert.deepEqual(refused("other").parts, ["Stopped"]);
});

test("refused writes in plain words", () => {
  assert.equal(errorText({ code: "slow_down", fields: { retry_after: 1 } }), "Wait 1 second");
  assert.equal(errorText({ code: "slow_down", fields: { retry_after: 5 } }), "Wait 5 seconds");
  assert.equal(errorText({ code: "board_locked", message: "x" }), "Locked");
  assert.equal(errorText({ code: "other", message: "Server says no" }), "Server says no");
  assert.equal(errorText(undefined), "Failed");
});

test("decisions that are news", () => {
  const decided = { id: 8, state: "decided", decision: { outcome: "accepted" } };
  const before = { proposals: new Map([[1, { id: 8, state: "under_review" }]]) };
  const after = { proposals: new Map([[1, decided], [2, { id: 9, state: "submitted" }]]) };
  assert.deepEqual(decisionsArrived(before, after), [decided]);
  assert.deepEqual(decisionsArrived(after, after), []);
  const redecided = { proposals: new Map([[1, { ...decided, id: 10 }]]) };
  assert.equal(decisionsArrived(after, redecided).length, 1);
});
