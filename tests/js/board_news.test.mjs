// What the board page tells this person (board/static/js/board_words.js): a done write in
// a word, and what a board event says (read out, or noted until dismissed).
import assert from "node:assert/strict";
import { test } from "node:test";

import { ackText, eventNews } from "../../board/static/js/board_words.js";
import { useStrings } from "../../board/static/js/i18n.js";
import { fromSnapshot } from "../../board/static/js/state.js";
import { event, post, snapshot } from "./helpers.mjs";

useStrings({
  post_sent: "Posted",
  state_pending: "Waiting for approval",
  state_silent: "Held back",
  joined_group: "Joined {group}",
  dots_left_one: "{left} of your dot left",
  dots_left_other: "{left} of your {count} dots left",
  report_thanks: "Thanks",
  new_post: "New: {title}",
  helper_arrived: "{name} can help with {title}",
  anonymous: "Someone",
  member_joined: "{name} joined {group}",
  anonymous_member: "A neighbour",
  hidden_by_other: "Hidden by another facilitator: {title}",
  your_post_hidden: "Your post {title} was hidden: {reason}",
  hidden_elsewhere: "A post was hidden",
  restored_notice: "Restored: {title}",
  phase_discuss: "Discussing",
  phase_now: "Now: {phase}",
  paused_now: "Paused",
  resumed_now: "Resumed",
  spotlight_now: "Spotlight: {title}",
  timer_started: "Timer: {time}",
  approved_yours: "Approved: {title}",
  rejected_yours: "Not approved: {title} ({reason})",
  merged_yours: "{from} merged into {into}",
  merged_into_yours: "Merged into yours: {title}",
  composer_muted: "Muted",
  unmuted: "Unmuted",
  reason_spam: "Spam",
});

const ME = { id: 1, role: "participant" };
const OTHER = { id: 2, name: "Bo", anonymous: false };

function stateOf(posts, fields = {}) {
  return fromSnapshot(snapshot({ posts, ...fields }));
}

test("a done write in a word", () => {
  const state = stateOf([], { session: { phase: "prioritise", dot_budget: 3 }, dots_spent: 1 });
  const said = (name, result = {}) => ackText({ name, payload: {}, result }, state);
  assert.equal(said("post.create", { post: { state: "visible" } }), "Posted");
  assert.equal(said("post.create", { post: { state: "pending" } }), "Waiting for approval");
  assert.equal(said("post.create", { post: { state: "silent" } }), "Held back");
  assert.equal(said("group.join", { group: { name: "Bench crew" } }), "Joined Bench crew");
  assert.equal(said("post.report"), "Thanks");
  assert.equal(said("dot.place", { budget: 3, spent: 2 }), "1 of your 3 dots left");
  assert.equal(said("dot.take_back", { budget: 1, spent: 0 }), "1 of your dot left");
  assert.equal(said("dot.place", { budget: 2, spent: 5 }), "0 of your 2 dots left");
  assert.equal(said("support.toggle"), null, "the card shows it");
});

test("someone else's new post is read out; mine, held or approved-from-pending is not", () => {
  const before = stateOf([post({ id: 3, state: "pending", author: OTHER })]);
  const news = (type, data) => eventNews(event(11, type, data), before, before, ME);
  assert.deepEqual(news("post.created", { post: post({ id: 4, title: "Bench", author: OTHER }) }), [
    { newPost: "Bench" },
  ]);
  assert.deepEqual(news("post.created", { post: post({ id: 5, title: "Mine" }) }), []);
  const held = post({ id: 6, title: "Held", author: OTHER, state: "pending" });
  assert.deepEqual(news("post.created", { post: held }), []);
  const approved = post({ id: 3, title: "Was waiting", author: OTHER });
  assert.deepEqual(news("post.approved", { post: approved }), []);
});

test("helpers and group members are told to the idea's people", () => {
  const state = stateOf([post({ id: 3, title: "Bench" })]);
  const link = { id: 9, target_id: 3, helper: { id: 2, name: "Bo" } };
  assert.deepEqual(eventNews(event(11, "link.created", { link }), state, state, ME), [
    { say: "Bo can help with Bench" },
  ]);
  const own = { ...link, helper: { id: 1, name: "Ann" } };
  assert.deepEqual(eventNews(event(11, "link.created", { link: own }), state, state, ME), []);
  const group = {
    id: 40,
    idea_id: 3,
    name: "Bench crew",
    coordinator_id: 1,
    members: [
      { id: 1, name: "Ann" },
      { id: 2, name: null },
    ],
  };
  const joined = event(12, "group.member_joined", { group, participant_id: 2 });
  assert.deepEqual(eventNews(joined, state, state, ME), [{ say: "A neighbour joined Bench crew" }]);
  const elsewhere = stateOf([post({ id: 3, author: OTHER })]);
  const notMine = { ...group, coordinator_id: 2, members: [{ id: 2, name: "Bo" }] };
  const created = event(12, "group.created", { group: notMine });
  assert.deepEqual(eventNews(created, elsewhere, elsewhere, ME), []);
});

test("a hidden post: told to its author with the reason, unless we hid it ourselves", () => {
  const mine = post({ id: 3, title: "Bench" });
  const before = stateOf([mine]);
  const after = stateOf([]);
  const hidden = event(11, "post.hidden", { post_id: 3, reason: "spam" });
  assert.deepEqual(eventNews(hidden, before, after, ME), [
    { say: "Your post Bench was hidden: Spam" },
  ]);
  const staff = { id: 1, role: "facilitator" };
  assert.deepEqual(eventNews(hidden, before, after, staff), [
    { say: "Hidden by another facilitator: Bench" },
  ]);
  const ours = [{ name: "post.hide", payload: { post_id: 3 } }];
  assert.deepEqual(eventNews(hidden, before, after, staff, ours), []);
  const theirs = stateOf([post({ id: 3, author: OTHER })]);
  assert.deepEqual(eventNews(hidden, theirs, after, ME), [{ say: "A post was hidden" }]);
});

test("the session's changes are said, the most important one only", () => {
  const now = Date.parse("2024-05-01T10:00:00Z");
  const session = {
    phase: "discuss",
    locked: true,
    timer: { ends_at: "2024-05-01T10:02:05Z", seconds: 300 },
  };
  const state = stateOf([], { session });
  const changed = (...names) =>
    eventNews(event(11, "session.changed", { session, changed: names }), state, state, ME, [], now);
  assert.deepEqual(changed("phase", "locked"), [{ say: "Now: Discussing" }]);
  assert.deepEqual(changed("locked"), [{ say: "Paused" }]);
  assert.deepEqual(changed("timer"), [{ say: "Timer: 2:05" }]);
  assert.deepEqual(changed("spotlight_post_id"), [], "no post in the spotlight here");
});

test("what happened to my posts is noted until dismissed", () => {
  const before = stateOf([post({ id: 3, title: "Bench", state: "pending" })]);
  const rejected = event(11, "post.rejected", { post_id: 3, title: "Bench", reason: "spam" });
  assert.deepEqual(eventNews(rejected, before, before, ME), [
    { key: "rejected-3", text: "Not approved: Bench (Spam)" },
  ]);
  const merged = event(12, "post.merged", {
    from_id: 3,
    from_title: "Bench",
    from_author_id: 1,
    into: post({ id: 4, title: "Benches", author: OTHER }),
  });
  assert.deepEqual(eventNews(merged, before, before, ME), [
    { key: "merged-3", text: "Bench merged into Benches" },
  ]);
  const muted = event(13, "participant.muted", { participant_id: 1, muted: false });
  assert.deepEqual(eventNews(muted, before, before, ME), [{ key: "muted", text: "Unmuted" }]);
  const someoneElse = event(13, "participant.muted", { participant_id: 2, muted: true });
  assert.deepEqual(eventNews(someoneElse, before, before, ME), []);
});
