// What the facilitator's console shows, worked out from the board state without the DOM:
// which posts go in which list and in what order, the words on each switch, a person's
// badges, the fairness figures in words, and what a live event means for the console.
// The console's other modules draw these; node's unit tests check them.

import { t, tn } from "./i18n.js";
import { isOpen } from "./state.js";

/** The session's on/off switches, each a button `toggle-<name>`. */
export const TOGGLES = ["locked", "premoderation", "silent", "dots_hidden"];
/** The session's numbers, each a form `setting-<name>`. */
export const NUMBERS = ["dot_budget", "report_threshold", "slow_mode_seconds"];

/** Events after which the people list (who posted, who is muted) is fetched again. */
export const PEOPLE_EVENTS = new Set([
  "participant.joined",
  "participant.renamed",
  "participant.muted",
  "participant.removed",
  "facilitator.revoked",
  "post.created",
  "post.deleted",
  "post.approved",
  "post.rejected",
  "post.merged",
]);

/** What a phase means for the people in the room. */
export function phaseAbout(phase) {
  switch (phase) {
    case "discuss":
      return t("phase_about_discuss");
    case "prioritise":
      return t("phase_about_prioritise");
    case "closed":
      return t("phase_about_closed");
    default:
      return t("phase_about_gather");
  }
}

/** What the facilitator is told once a switch has been turned. */
export function toggleDone(name, value) {
  if (name === "silent") return value ? t("silent_started") : t("silent_revealed");
  if (name === "dots_hidden") return value ? t("dots_now_hidden") : t("dots_revealed");
  if (name === "locked") return value ? t("board_locked") : t("board_unlocked");
  return value ? t("premoderation_on") : t("premoderation_off");
}

/** How many posts silent brainstorming holds back now. */
export function heldBack(state) {
  let held = 0;
  for (const post of state.posts.values()) if (post.state === "silent") held += 1;
  return held;
}

/** Each switch as {on, state: what it is now, action: what its button does}. */
export function switches(state) {
  const session = state.session;
  const words = {
    locked: [t("locked_off"), t("lock"), t("locked_on"), t("unlock")],
    premoderation: [
      t("premoderation_off_state"),
      t("premoderation_turn_on"),
      t("premoderation_on_state"),
      t("premoderation_turn_off"),
    ],
    silent: [
      t("silent_off_state"),
      t("silent_start"),
      tn("silent_on_state", heldBack(state)),
      t("reveal_all"),
    ],
    dots_hidden: [t("dots_shown_state"), t("hide_dots"), t("dots_hidden_state"), t("reveal_dots")],
  };
  const out = {};
  for (const name of TOGGLES) {
    const [offState, offAction, onState, onAction] = words[name];
    const on = Boolean(session[name]);
    out[name] = { on, state: on ? onState : offState, action: on ? onAction : offAction };
  }
  return out;
}

/** The timer as the console shows it, from timerLeft (null: no timer). */
export function timerView(left) {
  if (left === null) {
    return { state: "none", running: false, remaining: "", status: t("timer_none"), seconds: 0 };
  }
  return {
    state: left > 0 ? "running" : "done",
    running: left > 0,
    remaining: String(left),
    status: left > 0 ? t("timer_running") : t("timer_done"),
    seconds: left,
  };
}

/** A person's name, or "Anonymous". */
export function nameOf(person) {
  return (person && person.name) || t("anonymous");
}

/** A time of day in the page's language ("" for no time). */
export function timeOf(iso, lang = "en") {
  const at = new Date(iso || "");
  if (Number.isNaN(at.getTime())) return "";
  return at.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
}

/** "By Ann · 10:05", or "Entered for Bo · 10:05" for a paper card. */
export function authorLine(post, lang = "en") {
  const by = t("by_name", { name: nameOf(post.author) });
  const parts = [post.on_behalf_of ? t("entered_for", { name: post.on_behalf_of }) : by];
  if (post.created_at) parts.push(timeOf(post.created_at, lang));
  return parts.join(" · ");
}

/** Posts waiting for approval, oldest first (the order they came in). */
export function waitingPosts(state) {
  return [...state.posts.values()]
    .filter((post) => post.state === "pending" && !post.hidden)
    .sort((a, b) => a.id - b.id);
}

/** How many people reported this post (facilitators' count). */
export function reportsOn(state, post) {
  return Number(state.staff?.reports?.[String(post.id)] || 0);
}

/** Reported posts still showing: most reported first, then newest. */
export function reportedPosts(state) {
  return [...state.posts.values()]
    .filter((post) => !post.hidden && reportsOn(state, post) > 0)
    .sort((a, b) => reportsOn(state, b) - reportsOn(state, a) || b.id - a.id);
}

/** Hidden posts, newest first. */
export function hiddenPosts(state) {
  return [...state.posts.values()].filter((post) => post.hidden).sort((a, b) => b.id - a.id);
}

/** Why a hidden post is hidden, by whom it was written, how often it was reported. */
export function hiddenWhy(state, post, reasonLabel) {
  const why = [reasonLabel(post.hidden.reason), nameOf(post.author)];
  const reports = reportsOn(state, post);
  if (reports) why.push(tn("reported_by", reports));
  return why.join(" · ");
}

/**
 * The console's list of posts: every post on the board or held back (not waiting,
 * rejected or hidden), pinned first, then newest; `targets`, the open ones among them,
 * are what a duplicate can be merged into.
 */
export function boardPosts(state) {
  const shown = [...state.posts.values()]
    .filter((post) => !post.hidden && ["visible", "silent", undefined].includes(post.state))
    .sort((a, b) => Number(Boolean(b.pinned)) - Number(Boolean(a.pinned)) || b.id - a.id);
  const targets = shown.filter(isOpen).sort((a, b) => b.id - a.id);
  return { shown, targets };
}

/**
 * {all, more} for a list showing `shown` posts whose pages, as far as read, left `next`
 * (null: none left; undefined: never asked) and counted `total`: exact once all are read.
 */
export function pagesLeft(shown, { next, total }) {
  const more = next !== null;
  return { more, all: more ? Math.max(shown, total ?? shown) : shown };
}

/** The posts `postId` could be merged into, newest first. */
export function mergeChoices(targets, postId) {
  return targets.filter((post) => post.id !== postId);
}

/** Dots on a post: the facilitators' total (kept while dots are hidden), else the post's. */
export function dotsOn(state, post) {
  const total = state.staff?.dot_totals?.[String(post.id)];
  return total ?? post.dot_count ?? 0;
}

/** "3 supporters · 2 dots · 1 comment" for a post in the console's list. */
export function postCounts(state, post) {
  const counts = [tn("supporters_count", post.support_count || 0)];
  if (post.kind === "idea" || post.kind === "need") {
    const dots = tn("dot_count", dotsOn(state, post));
    counts.push(state.session.dots_hidden ? t("dots_hidden_from_others", { dots }) : dots);
  }
  if (post.comments?.length) counts.push(tn("comments_count", post.comments.length));
  return counts.join(" · ");
}

/** Which of a post's buttons show: held back, waiting or hidden, only Hide does. */
export function postActions(post, targets) {
  const open = isOpen(post);
  // `targets` are the open posts, this one among them: a merge needs another.
  return { pin: open, spotlight: open, merge: open && targets.length >= 2 };
}

/** A person in the people list: their state, their badges and the line under the name. */
export function personView(state, person, lang = "en") {
  const muted = Boolean(person.muted || (state.staff?.muted_ids || []).includes(person.id));
  const gone = Boolean(person.removed || person.revoked);
  const staff = person.role === "facilitator";
  const labels = [];
  if (state.me && person.id === state.me.id) labels.push(t("you"));
  if (staff) labels.push(t("facilitator"));
  if (muted && !gone) labels.push(t("muted"));
  if (person.removed) labels.push(t("person_removed"));
  if (person.revoked) labels.push(t("link_withdrawn_badge"));
  const detail = [tn("posts_count", person.posts || 0)];
  if (person.joined_at) detail.push(t("joined_at", { time: timeOf(person.joined_at, lang) }));
  return {
    name: nameOf(person),
    muted,
    gone,
    staff,
    labels,
    detail: detail.join(" · "),
    // No mute or remove for a facilitator, or for someone already gone.
    actions: !staff && !gone,
  };
}

/** The people still on the board (not removed, link not withdrawn). */
export function peopleHere(people) {
  return people.filter((p) => !p.removed && !p.revoked);
}

/** A share (0..1) as a whole percentage. */
export function percent(share) {
  return Math.round((share || 0) * 100);
}

/** A share as a bar's width, kept within 0%..100%. */
export function barWidth(share) {
  return `${Math.round(Math.max(0, Math.min(1, share || 0)) * 100)}%`;
}

/** The fairness panel's figures and sentences, from GET fairness. */
export function fairnessView(f) {
  const names = f.not_posted_names || [];
  const anonymous = Math.max(0, f.not_posted - names.length);
  let waiting;
  if (!f.joined) waiting = t("fair_nobody_joined");
  else if (!f.not_posted) waiting = t("fair_everyone_posted");
  else {
    const parts = [];
    if (names.length) parts.push(t("fair_not_posted_names", { names: names.join(", ") }));
    if (anonymous) parts.push(tn("fair_not_posted_anonymous", anonymous));
    waiting = parts.join(" ");
  }
  const top = f.top_tenth || { people: 0, posts: 0, share: 0 };
  const supports = f.supports || {};
  const dots = f.dots || {};
  return {
    joined: String(f.joined),
    posted: String(f.posted),
    notPosted: String(f.not_posted),
    postedShare: f.joined ? f.posted / f.joined : 0,
    waiting,
    topPercent: f.posts ? `${percent(top.share)}%` : "–",
    topShare: f.posts
      ? tn("fair_top_share", top.people, { percent: percent(top.share) })
      : t("fair_no_posts"),
    topBar: f.posts ? top.share : 0,
    supports: String(supports.average ?? 0),
    supportsDetail: t("fair_supports_detail", {
      total: supports.total ?? 0,
      people: supports.people ?? 0,
      most: supports.most ?? 0,
    }),
    dots: String(dots.average ?? 0),
    dotsDetail: t("fair_dots_detail", {
      total: dots.total ?? 0,
      budget: dots.budget ?? 0,
      all: dots.all_spent ?? 0,
    }),
    assisted: String(f.assisted_posts ?? 0),
  };
}

/**
 * What a live event means for the console, given the state before and after it:
 * `people` (fetch the people list again), `revoked` (my own link was withdrawn: stop),
 * `arrived` (a post now waiting for approval, to announce), else null.
 */
export function afterEvent(before, after, envelope) {
  const data = envelope.data || {};
  const me = after.me?.id;
  const post = data.post;
  const isNew = envelope.type === "post.created" && post && !before.posts.has(post.id);
  return {
    people: PEOPLE_EVENTS.has(envelope.type),
    revoked: envelope.type === "facilitator.revoked" && me != null && data.participant_id === me,
    arrived: isNew && post.state === "pending" ? post : null,
  };
}
