// The board page worked out without the DOM, for the board_*.js modules to draw: what it
// says (phase, clock, why the composer is closed, the connection banner, refused and done
// writes, what an event tells this person, decisions that are news) and what it shows
// (the feed with the writes in flight, the banners, notes, when to ask for the summary),
// the view the filter form asks for, the writes this device keeps until they are
// acknowledged (the outbox), and what it remembers of the last visit.

import { t, tn } from "./i18n.js";
import { reasonLabel, summaryText } from "./moderation.js";
import {
  isFacilitator,
  isMember,
  postIdsOf,
  says,
  spotlightPost,
  supportedBy,
  timerLeft,
} from "./state.js";

const PHASES = ["gather", "discuss", "prioritise", "closed"];

/** The phase in words: "Prioritising: place your 3 dots". */
export function phaseText(session) {
  if (session.phase === "prioritise") return tn("phase_prioritise", session.dot_budget);
  return t(PHASES.includes(session.phase) ? `phase_${session.phase}` : "phase_gather");
}

/** Seconds as the timer shows them: "4:05". */
export function clock(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = String(seconds % 60).padStart(2, "0");
  return `${minutes}:${rest}`;
}

/** Dots I have left: the budget less those spent and those on their way. */
export function dotsLeft(budget, spent, onTheirWay = 0) {
  return Math.max(0, budget - spent - onTheirWay);
}

/**
 * Why this person cannot write at all now: "removed", "closed", "locked" or null.
 * `me`: {removed?}; facilitators are never blocked.
 */
export function writeBlock(session, me, facilitator) {
  if (facilitator) return null;
  if (me?.removed) return "removed";
  if (session.phase === "closed") return "closed";
  return session.locked ? "locked" : null;
}

/** Why the composer is closed, in words, or null when it is open. */
export function composerReason(session, block, facilitator, muted) {
  if (block === "removed") return t("removed");
  if (block) return t(`composer_${block}`);
  if (!facilitator && session.phase === "prioritise") return t("composer_prioritising");
  if (muted) return t("composer_muted");
  return null;
}

/**
 * The connection banner: {state, tone, parts}. `parts` are strings and {href, text} links.
 * `link`: connecting | online | offline | refused; `lost`: dropped and not back yet;
 * `backOnline`: back a moment ago; `slow`: the first connection takes a while; `refusal`:
 * the server's error; `waiting`: writes not sent yet; `staff`: a facilitator as the page
 * opened; `boardUrl`: the board's address.
 */
export function connectionBanner({
  link,
  lost,
  backOnline,
  slow,
  refusal,
  waiting,
  staff,
  boardUrl,
}) {
  let parts = [];
  let tone = "";
  if (link === "refused") {
    tone = "error";
    const code = refusal?.code;
    if (code === "not_joined") {
      parts = [`${t("signed_out")} `, { href: `${boardUrl}/join`, text: t("join_again") }];
    } else if (code === "removed" || (code === "access_revoked" && !staff)) {
      parts = [t("removed")];
    } else if (code === "access_revoked") {
      parts = [`${t("link_withdrawn")} `, { href: boardUrl, text: t("reload") }];
    } else {
      parts = [refusal?.message || t("live_unavailable")];
    }
  } else if (lost) {
    tone = "offline";
    parts = [t("connection_lost")];
    if (waiting) parts.push(` ${tn("waiting", waiting)}`);
  } else if (link === "connecting" && slow) {
    tone = "waiting";
    parts = [t("connecting")];
  } else if (link === "online" && backOnline) {
    tone = "online";
    parts = [t("back_online")];
  }
  const state = link === "refused" || lost ? "offline" : link;
  return { state, tone, parts };
}

// Refusals by the session and the dot and report rules, in the page's own words.
const PLAIN_ERRORS = [
  "board_locked",
  "board_closed",
  "posting_paused",
  "muted",
  "not_prioritising",
  "no_dots_left",
  "no_dot_here",
  "already_reported",
  "post_not_open",
];

/** What went wrong, in plain (translated) words where the page knows the refusal. */
export function errorText(error) {
  const code = error?.code;
  if (code === "slow_down") {
    return tn("error_slow_down", Math.max(1, Number(error.fields?.retry_after) || 1));
  }
  if (PLAIN_ERRORS.includes(code)) return t(`error_${code}`);
  return error?.message || t("failed");
}

/** Decided proposals in `after.proposals` that `before.proposals` did not have decided. */
export function decisionsArrived(before, after) {
  const arrived = [];
  for (const [ideaId, proposal] of after.proposals || []) {
    if (proposal.state !== "decided" || !proposal.decision) continue;
    const was = before.proposals?.get(ideaId);
    if (was && was.id === proposal.id && was.state === "decided") continue;
    arrived.push(proposal);
  }
  return arrived;
}

// Done writes said in a word (a new post's depends on where it went).
const ACKS = {
  "post.delete": "post_deleted",
  "link.create": "help_sent",
  "link.remove": "help_withdrawn",
  "group.leave": "left_group",
  "post.hide": "post_hidden",
  "post.restore": "post_restored",
  "post.approve": "approved",
  "post.reject": "rejected",
  "post.report": "report_thanks",
};

/** What to say once the server has done `op` (its ack's data in `op.result`), or null. */
export function ackText(op, state) {
  const result = op.result || {};
  if (op.name === "post.create") {
    const held = result.post?.state;
    if (held === "pending" || held === "silent") return t(`state_${held}`);
    return t("post_sent");
  }
  if (op.name === "group.join") return t("joined_group", { group: result.group?.name || "" });
  if (op.name === "dot.place" || op.name === "dot.take_back") {
    const budget = result.budget ?? state.session.dot_budget;
    return tn("dots_left", budget, { left: dotsLeft(budget, result.spent ?? state.dotsSpent) });
  }
  return op.name in ACKS ? t(ACKS[op.name]) : null;
}

/**
 * What a board event tells this person, in order: {newPost: title} (someone else's),
 * {say: text}, or {key, text}: a note kept until dismissed. `before`, `state`: the board
 * before and after it; `me`: {id, role}; `ops`: my writes in flight (told on their ack).
 */
export function eventNews(envelope, before, state, me, ops = [], now = Date.now()) {
  const news = [];
  const data = envelope.data || {};
  const type = envelope.type;
  const say = (text) => news.push({ say: text });
  const note = (key, text) => news.push({ key, text });
  const staff = isFacilitator(state);

  if ((type === "post.created" || type === "post.approved") && data.post) {
    const post = data.post;
    const fresh = post.author?.id !== me.id && before.posts.get(post.id)?.state !== "pending";
    if (fresh && (post.state || "visible") === "visible") news.push({ newPost: post.title });
  }

  // Who has come to help: told to the idea's author and the group's members.
  if (type === "link.created" && data.link) {
    const target = state.posts.get(data.link.target_id);
    if (target && target.author?.id === me.id && data.link.helper?.id !== me.id) {
      const name = data.link.helper?.name || t("anonymous");
      say(t("helper_arrived", { name, title: target.title }));
    }
  } else if ((type === "group.created" || type === "group.member_joined") && data.group) {
    const group = data.group;
    const who = type === "group.created" ? group.coordinator_id : data.participant_id;
    const idea = state.posts.get(group.idea_id);
    if (who !== me.id && (idea?.author?.id === me.id || isMember(group, me.id))) {
      const person = (group.members || []).find((p) => p.id === who);
      say(t("member_joined", { name: person?.name || t("anonymous_member"), group: group.name }));
    }
  }

  const ours = (name, id) => ops.some((op) => op.name === name && op.payload.post_id === id);
  if (type === "post.hidden") {
    const post = before.posts.get(data.post_id);
    if (post && !ours("post.hide", post.id)) {
      if (me.role === "facilitator") say(t("hidden_by_other", { title: post.title }));
      else if (post.author?.id === me.id) {
        say(t("your_post_hidden", { title: post.title, reason: reasonLabel(data.reason) }));
      } else say(summaryText(state.moderation) || t("hidden_elsewhere"));
    }
  } else if (type === "post.restored" && data.post && !ours("post.restore", data.post.id)) {
    say(t("restored_notice", { title: data.post.title }));
  }

  if (type === "session.changed" && data.session) {
    const changed = data.changed || [];
    const session = state.session;
    if (changed.includes("phase")) say(t("phase_now", { phase: phaseText(session) }));
    else if (changed.includes("locked")) say(t(session.locked ? "paused_now" : "resumed_now"));
    else if (changed.includes("spotlight_post_id") && spotlightPost(state)) {
      say(t("spotlight_now", { title: spotlightPost(state).title }));
    } else if (changed.includes("timer") && session.timer) {
      say(t("timer_started", { time: clock(timerLeft(state, now) ?? 0) }));
    }
  } else if (type === "posts.revealed") {
    say(tn("posts_revealed", (data.posts || []).length));
  } else if (type === "dots.revealed") {
    say(t("dots_revealed_now"));
  } else if (type === "post.approved" && data.post?.author?.id === me.id) {
    if (!staff) say(t("approved_yours", { title: data.post.title }));
  } else if (type === "post.rejected") {
    const post = before.posts.get(data.post_id);
    if (post?.author?.id === me.id && !staff) {
      const reason = reasonLabel(data.reason);
      note(`rejected-${data.post_id}`, t("rejected_yours", { title: data.title, reason }));
    }
  } else if (type === "post.merged" && data.into) {
    const key = `merged-${data.from_id}`;
    if (data.from_author_id === me.id) {
      note(key, t("merged_yours", { from: data.from_title, into: data.into.title }));
    } else if (data.into.author?.id === me.id) {
      note(key, t("merged_into_yours", { title: data.into.title }));
    }
  } else if (type === "participant.muted" && data.participant_id === me.id) {
    note("muted", t(data.muted ? "composer_muted" : "unmuted"));
  }
  return news;
}

/** Why this person cannot write now (writeBlock), from the state. */
export function blockOf(state) {
  return writeBlock(state.session, state.me, isFacilitator(state));
}

export function mutedOf(state) {
  return Boolean(state.me?.muted) && !isFacilitator(state);
}

/** Forget the writes whose event has been applied (their ack's seq is in the state). */
export function dropApplied(ops, seq) {
  for (const [opId, op] of ops) if (op.seq != null && seq >= op.seq) ops.delete(opId);
}

/** My skill and tool offers, oldest first: what "I can help" can link. */
export function offersOf(state, meId) {
  return [...state.posts.values()]
    .filter((p) => p.author?.id === meId && (p.kind === "skill" || p.kind === "tool"))
    .sort((a, b) => a.id - b.id)
    .map((p) => ({ id: p.id, title: p.title }));
}

/**
 * What the feed draws: {pending (pendingView), creates (new posts on their way that the
 * view shows), posts (in order, my edit on its way over its post, my deletes gone), tags}.
 */
export function feedModel(state, ops, view, meId) {
  const pending = pendingView([...ops.values()], state, meId);
  const posts = [];
  const tags = [];
  for (const post of state.posts.values()) {
    const overlay = pending.posts.get(post.id);
    if (overlay?.deleting) continue;
    posts.push(overlay?.edit ? { ...post, ...overlay.edit } : post);
    if (post.tag) tags.push(post.tag);
  }
  const creates = pending.creates.filter((op) => shows(view, op.payload));
  return { pending, creates, posts: arrange(posts, view), tags, offers: offersOf(state, meId) };
}

/**
 * A view's count of matching posts, `total` as the server counted it, after an event:
 * one more for each post the event brought into the view, one fewer for each it took out
 * (posts this page does not hold are not known to it).
 */
export function totalAfter(total, before, after, envelope, view) {
  const ids = postIdsOf(envelope) ?? new Set([...before.posts.keys(), ...after.posts.keys()]);
  let count = total;
  for (const id of ids) {
    const was = before.posts.get(id);
    const now = after.posts.get(id);
    count += Number(Boolean(now && shows(view, now))) - Number(Boolean(was && shows(view, was)));
  }
  return Math.max(0, count);
}

/**
 * "Showing 30 of 120 posts": `shown` posts drawn for a view whose pages, as far as read,
 * left `next` (null: none left) and counted `total` (null: not asked yet); `more` when a
 * page is left to load.
 */
export function feedCount(shown, { next, total }) {
  const more = next !== null;
  const all = more ? Math.max(shown, total ?? shown) : shown;
  return { more, text: tn("feed_count", all, { shown }) };
}

export function waitingCount(ops) {
  return [...ops.values()].filter((op) => !op.result).length;
}

/** Which parts of the session banner show; dots left (my dots on their way count). */
export function sessionBanner(session, dotsSpent, overlays = new Map()) {
  const open = session.phase !== "closed";
  const prioritising = session.phase === "prioritise";
  let left = null;
  if (prioritising) {
    let onTheirWay = 0;
    for (const overlay of overlays.values()) onTheirWay += overlay.dots || 0;
    left = dotsLeft(session.dot_budget, dotsSpent, onTheirWay);
  }
  return {
    locked: Boolean(session.locked) && open,
    premoderation: Boolean(session.premoderation) && open,
    silent: Boolean(session.silent) && open,
    dotsLeft: left,
    dotsHidden: prioritising && Boolean(session.dots_hidden),
  };
}

/** The timer at `now`: null (none) or {left, running, timeUp: ran out as this page watched}. */
export function timerTick(state, wasRunning, now = Date.now()) {
  const left = timerLeft(state, now);
  if (left === null) return null;
  return { left, timeUp: left === 0 && wasRunning, running: left > 0 };
}

/** The notes with `notice` last, replacing one with its key. */
export function withNotice(notices, notice) {
  return [...notices.filter((n) => n.key !== notice.key), notice];
}

/** {notices, gone}: without the one drawn as element `id`. */
export function withoutNotice(notices, id) {
  const gone = notices.find((n) => `notice-${n.key}` === id) || null;
  return { notices: gone ? notices.filter((n) => n !== gone) : notices, gone };
}

export function supportedIdea(state, proposal, meId) {
  const idea = state.posts.get(proposal.idea_id);
  return Boolean(idea) && supportedBy(idea, meId);
}

/**
 * Decisions to note as the page opens: {note, gone}. Noted: those in `news` (told, not
 * dismissed) and those since `lastVisit` (ms or null) on ideas I supported; gone: news ids
 * no longer on the board.
 */
export function decisionNotes(state, { news, lastVisit }, meId) {
  const waiting = new Set(news);
  const note = [];
  for (const proposal of state.proposals.values()) {
    if (proposal.state !== "decided" || !proposal.decision) continue;
    const since = lastVisit !== null && Date.parse(proposal.updated_at) > lastVisit;
    if (waiting.delete(proposal.id) || (since && supportedIdea(state, proposal, meId))) {
      note.push(proposal);
    }
  }
  return { note, gone: [...waiting] };
}

export const LINK_START = {
  link: "connecting", // connecting | online | offline | refused
  lost: false, // dropped and not back yet
  backOnline: false,
  slow: false, // the first connection is taking a while
  refusal: null,
};

/** After BoardConnection's `status`: {link, slowTimer, backTimer} (timers to start). */
export function linkAfter(before, status, error) {
  const link = { ...before, slow: false };
  let slowTimer = false;
  let backTimer = false;
  if (status === "connecting") {
    link.link = "connecting";
    slowTimer = true;
  } else if (status === "offline") {
    Object.assign(link, { link: "offline", lost: true, backOnline: false });
  } else if (status === "online") {
    link.link = "online";
    if (link.lost) {
      Object.assign(link, { lost: false, backOnline: true });
      backTimer = true;
    }
  } else if (status === "refused") {
    Object.assign(link, { link: "refused", refusal: error });
  }
  return { link, slowTimer, backTimer };
}

/**
 * When to ask for the moderation summary: one request at a time, none for `retryMs`
 * after a failure, `everyMs` apart, doubled while requests come in a row, up to `maxGapMs`.
 */
export class SummaryPacer {
  constructor({ everyMs, maxGapMs, retryMs }) {
    Object.assign(this, { everyMs, maxGapMs, retryMs });
    this.asking = false;
    this.waiting = false;
    this.failed = -Infinity;
    this.asked = -Infinity;
    this.gap = everyMs;
  }

  /** "ask" (then done()), ms to wait (then woke() and next(now, true)), or null. */
  next(now, waited = false) {
    if (this.asking || this.waiting || now - this.failed < this.retryMs) return null;
    const since = now - this.asked;
    if (since > this.maxGapMs) this.gap = this.everyMs;
    if (waited) {
      this.gap = Math.min(this.gap * 2, this.maxGapMs);
    } else if (since < this.gap) {
      this.waiting = true;
      return this.gap - since;
    }
    this.asked = now;
    this.asking = true;
    return "ask";
  }

  woke() {
    this.waiting = false;
  }

  done(now, ok) {
    this.asking = false;
    if (!ok) this.failed = now;
  }
}

/** The post a write is about: its post_id, its group's idea, or the card it was made on. */
export function postOf(op, groups) {
  if (op.payload.post_id != null) return op.payload.post_id;
  const group = op.payload.group_id ? groups?.get(op.payload.group_id) : null;
  return group ? group.idea_id : (op.target ?? null);
}

/**
 * Where a refused write's error goes: {composer: true} or, in the card of `postId`, the
 * `form` (inside `box` if given), else the `box` when there is no `form` or `orBox`.
 */
export function errorPlace(op, groups) {
  const name = op.name;
  if (name === "post.create") return { composer: true };
  const postId = postOf(op, groups);
  if (name === "comment.create") return { postId, form: ".comment-form" };
  if (name.startsWith("link.") || name.startsWith("group.")) {
    const box = name.startsWith("link.") ? ".help-box, .helpers" : ".group-box";
    return { postId, box, form: "form:not([hidden])", orBox: true };
  }
  if (name.startsWith("dot.")) return { postId, box: ".dot-box" };
  if (name === "post.report") return { postId, box: ".report-box" };
  if (name === "post.approve" || name === "post.reject") return { postId, box: ".moderation-box" };
  if (name === "post.hide" || name === "post.restore") {
    return { postId, box: ".moderation-box", form: "form:not([hidden])" };
  }
  return { postId, form: ".support-form" };
}

/** A new post from the composer's fields, or null without a title. */
export function newPost({ kind, title, body, tag, availability }) {
  if (!title.trim()) return null;
  const payload = { kind: kind || "idea", title, body };
  if (tag) payload.tag = tag;
  if (payload.kind !== "idea" && availability?.trim()) payload.availability = availability;
  return payload;
}

/** The fields of `wanted` that differ from the post's. */
export function editChanges(post, wanted) {
  const changes = {};
  for (const [name, value] of Object.entries(wanted)) {
    if ((value ?? "") !== (post[name] ?? "")) changes[name] = value;
  }
  return changes;
}

// --- the outbox -------------------------------------------------------------------------
// Writes made on this device that the server has not acknowledged yet.
//
// Each write (post.create, support.toggle, comment.create, post.update, post.delete,
// link.create, link.remove, group.join, group.leave, dot.place, dot.take_back,
// post.report; a facilitator's post.hide, post.restore, post.approve and post.reject)
// gets its op id when the person acts, and is kept in localStorage (per board and person)
// until its ack arrives, so a write made offline, or cut off by a reload or a flat
// battery, is sent later with the same op id: the server does it once and answers a
// retry with the first result.
//
// Only an answer that may change by itself is worth keeping the write for (see
// worthRetrying): a refusal by the session (board_locked, board_closed, posting_paused,
// muted, slow mode's slow_down...) or by the rules is final, and the page shows it
// instead; the person decides whether to try again later. (A rate limit's short
// slow_down never gets here: live.js waits it out and sends the write again.)
//
// pendingView() says how the writes still in flight change what the feed shows: pending
// cards for new posts, a support already counted, a comment "Sending…". A write stays
// "in flight" until the board event it produced has been applied (state.seq >= the ack's
// seq), so the pending card and the real card are swapped in one redraw, never both.

const VERSION = 1;

/** Refusals that are not about the write itself: keep it and send it again later. */
const TRANSIENT = new Set(["not_joined", "internal"]);

/** Should a write refused with `error` stay in the outbox (true) or be dropped and shown? */
export function worthRetrying(error) {
  return !error || TRANSIENT.has(error.code);
}

function fieldsOf(op) {
  const { op_id: _opId, board: _board, ...payload } = op.payload || {};
  return payload;
}

export class Outbox {
  constructor(board, meId) {
    this.key = `common-ground:outbox:${board}:${meId}`;
    this.memory = []; // used when localStorage is blocked
  }

  /** The stored writes, oldest first. */
  list() {
    try {
      const stored = JSON.parse(localStorage.getItem(this.key) || "null");
      if (stored && stored.v === VERSION && Array.isArray(stored.ops)) return stored.ops;
      return [];
    } catch {
      return this.memory;
    }
  }

  _save(ops) {
    this.memory = ops;
    try {
      if (ops.length) localStorage.setItem(this.key, JSON.stringify({ v: VERSION, ops }));
      else localStorage.removeItem(this.key);
    } catch {
      /* storage blocked or full: the write still goes out from memory */
    }
  }

  add(op) {
    const { op_id, name, after, before, at } = op;
    this._save([...this.list(), { op_id, name, payload: fieldsOf(op), after, before, at }]);
  }

  remove(opId) {
    const ops = this.list();
    const kept = ops.filter((op) => op.op_id !== opId);
    if (kept.length !== ops.length) this._save(kept);
  }
}

// Writes in flight that show as a flag on their post's overlay.
const FLAGS = {
  "post.hide": "hiding",
  "post.restore": "restoring",
  "post.report": "reporting",
  "post.approve": "approving",
  "post.reject": "rejecting",
};

/** The highest post id and comment id in a state: anything of ours above them is newer. */
export function newestIds(state) {
  let post = 0;
  let comment = 0;
  for (const p of state.posts.values()) {
    post = Math.max(post, p.id);
    for (const c of p.comments || []) comment = Math.max(comment, c.id);
  }
  return { post, comment };
}

// The server trims text and folds runs of spaces; compare the way it stores them.
function same(a, b) {
  const fold = (text) =>
    String(text ?? "")
      .replace(/\s+/g, " ")
      .trim();
  return fold(a) === fold(b);
}

/** The post a link is on, by the link's id (null when it is gone). */
function linkTarget(state, linkId) {
  for (const post of state.posts.values()) {
    if ((post.helpers || []).some((link) => link.id === linkId)) return post.id;
  }
  return null;
}

/** The idea a group formed around, by the group's id. */
function groupIdea(state, groupId) {
  const group = state.groups?.get(groupId);
  if (group) return group.idea_id;
  for (const post of state.posts.values()) if (post.group?.id === groupId) return post.id;
  return null;
}

/**
 * How the writes in flight change the feed.
 * `ops`: in-flight writes, oldest first ({op_id, name, payload, after, before, result}).
 * Returns {creates: [op], posts: Map(postId -> {supported, edit, deleting, comments: [op],
 * helping, unlinking: [link id], joining, leaving, hiding, restoring, dots (my dots on it
 * still on their way: +1 each place, -1 each take back), reporting, approving,
 * rejecting})}.
 */
export function pendingView(ops, state, meId) {
  const creates = [];
  const posts = new Map();
  const claimedPosts = new Set();
  const claimedComments = new Set();
  for (const op of ops) {
    if (op.result?.post) claimedPosts.add(op.result.post.id);
    if (op.result?.comment) claimedComments.add(op.result.comment.id);
  }
  const overlay = (postId) => {
    if (!posts.has(postId)) posts.set(postId, { comments: [] });
    return posts.get(postId);
  };

  for (const op of ops) {
    const fields = op.payload || {};
    if (op.name === "post.create") {
      if (!op.result) {
        // Its event may come before its ack: a post of ours, newer than the write and
        // saying the same, is this write's post. Show that one only.
        const mine = [...state.posts.values()].find(
          (post) =>
            !claimedPosts.has(post.id) &&
            post.author?.id === meId &&
            post.id > (op.after?.post ?? Infinity) &&
            post.kind === fields.kind &&
            same(post.title, fields.title),
        );
        if (mine) {
          claimedPosts.add(mine.id);
          continue;
        }
      } else if (state.posts.has(op.result.post.id)) {
        continue;
      }
      creates.push(op);
    } else if (op.name === "comment.create") {
      const post = state.posts.get(fields.post_id);
      if (!post) continue;
      if (!op.result) {
        const mine = (post.comments || []).find(
          (comment) =>
            !claimedComments.has(comment.id) &&
            comment.author?.id === meId &&
            comment.id > (op.after?.comment ?? Infinity) &&
            same(comment.body, fields.body),
        );
        if (mine) {
          claimedComments.add(mine.id);
          continue;
        }
      } else if ((post.comments || []).some((c) => c.id === op.result.comment.id)) {
        continue;
      }
      overlay(fields.post_id).comments.push(op);
    } else if (op.name === "support.toggle") {
      // The last tap decides: the ack says what the server did, else the opposite of
      // what the button showed when it was tapped.
      overlay(fields.post_id).supported = op.result ? op.result.supported : !op.before;
    } else if (op.name === "post.update") {
      const { post_id: _id, ...edit } = fields;
      const entry = overlay(fields.post_id);
      entry.edit = { ...entry.edit, ...edit };
    } else if (op.name === "post.delete") {
      overlay(fields.post_id).deleting = true;
    } else if (op.name === "link.create") {
      if (state.posts.has(fields.post_id)) overlay(fields.post_id).helping = true;
    } else if (op.name === "link.remove") {
      const target = linkTarget(state, fields.link_id);
      if (target !== null) {
        const entry = overlay(target);
        entry.unlinking = [...(entry.unlinking || []), fields.link_id];
      }
    } else if (op.name === "group.join") {
      if (state.posts.has(fields.post_id)) overlay(fields.post_id).joining = true;
    } else if (op.name === "group.leave") {
      const idea = groupIdea(state, fields.group_id);
      if (idea !== null && state.posts.has(idea)) overlay(idea).leaving = true;
    } else if (op.name in FLAGS) {
      if (state.posts.has(fields.post_id)) overlay(fields.post_id)[FLAGS[op.name]] = true;
    } else if (op.name === "dot.place" || op.name === "dot.take_back") {
      if (!state.posts.has(fields.post_id)) continue;
      const entry = overlay(fields.post_id);
      entry.dots = (entry.dots || 0) + (op.name === "dot.place" ? 1 : -1);
    }
  }
  return { creates, posts };
}

// --- the view: by kind, theme and words, newest or most supported, pinned on top --------
// The same rules as pages.arrange (and pages.board, which puts pinned posts first) on the
// server, so the page looks the same before and after the script takes over, and the form
// works as a plain GET form without it. The server pages through the posts for a view
// (board.posts, pageQuery); these rules place the posts this page holds.

export const SORTS = ["newest", "supported"];

/** The view {kind, tag, q, sort} the filter form shows now. */
export function readView(form) {
  const sort = form.elements.sort?.value;
  return {
    kind: form.elements.kind?.value || null,
    tag: form.elements.tag?.value || null,
    q: form.elements.q?.value.trim() || null,
    sort: SORTS.includes(sort) ? sort : "newest",
  };
}

/** Does this post pass the view's filters? */
export function shows(view, post) {
  return (
    (!view.kind || post.kind === view.kind) &&
    (!view.tag || post.tag === view.tag) &&
    (!view.q || says(post, view.q))
  );
}

/** Is this the view the first screen was chosen for (no filter, newest first)? */
export function isFirstView(view) {
  return !view.kind && !view.tag && !view.q && view.sort === "newest";
}

/** One key per view, for remembering how far its pages have been read. */
export function viewKey(view) {
  return JSON.stringify([view.kind, view.tag, view.q, view.sort]);
}

/** What board.posts is asked for the view's page after cursor `after` (null: the first). */
export function pageQuery(view, after = null, limit = null) {
  return { kind: view.kind, tag: view.tag, q: view.q, sort: view.sort, after, limit };
}

/**
 * Posts filtered and sorted for the view: newest first, or most supported (then newest);
 * pinned posts first whatever the order.
 */
export function arrange(posts, view) {
  const shown = [...posts].filter((post) => shows(view, post));
  shown.sort((a, b) => b.id - a.id);
  if (view.sort === "supported") shown.sort((a, b) => b.support_count - a.support_count);
  return shown.sort((a, b) => Number(Boolean(b.pinned)) - Number(Boolean(a.pinned)));
}

/** The page address for a view (empty filters and the default sort are left out). */
export function addressFor(view, location = window.location) {
  const query = new URLSearchParams();
  if (view.kind) query.set("kind", view.kind);
  if (view.tag) query.set("tag", view.tag);
  if (view.q) query.set("q", view.q);
  if (view.sort !== "newest") query.set("sort", view.sort);
  const search = query.toString();
  return `${location.pathname}${search ? `?${search}` : ""}${location.hash}`;
}

// --- new since your last visit ----------------------------------------------------------
// "New since your last visit": this device remembers, per board and person, the highest
// post id it has shown. Ids only grow, so on the next visit every post with a higher id
// (written by someone else) is new to this person. The first visit marks nothing.
//
// Closing the loop: it also remembers when this person last had the board open
// (the server's clock, in ms: stillHere), so a council decision recorded since then is
// news (lastVisit, read once as the page opens), and which decisions it has told them of
// that they have not dismissed yet (news: proposal ids), so a reload keeps that notice.

function read(key) {
  try {
    const value = Number(localStorage.getItem(key));
    return Number.isInteger(value) && value > 0 ? value : null;
  } catch {
    return null; // storage blocked (private mode): no markers, nothing breaks
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, String(value));
  } catch {
    /* storage full or blocked: the markers are a nicety */
  }
}

function readList(key) {
  try {
    const list = JSON.parse(localStorage.getItem(key) || "[]");
    return Array.isArray(list) ? list.filter((id) => Number.isInteger(id) && id > 0) : [];
  } catch {
    return [];
  }
}

export class Visits {
  /** `posts`: the posts on the page now; `meId`: your own posts are never "new". */
  constructor(board, meId, posts) {
    this.key = `common-ground:seen:${board}:${meId}`;
    this.visitKey = `common-ground:visited:${board}:${meId}`;
    this.newsKey = `common-ground:news:${board}:${meId}`;
    const before = read(this.key);
    this.newIds = new Set();
    this.seen = before || 0;
    for (const post of posts) {
      if (before !== null && post.id > before && post.author?.id !== meId) {
        this.newIds.add(post.id);
      }
      this.seen = Math.max(this.seen, post.id);
    }
    write(this.key, this.seen);
    /** When this person last had the board open (server ms), or null: not on this device. */
    this.lastVisit = read(this.visitKey);
    this.here = this.lastVisit || 0;
    this.newsIds = new Set(readList(this.newsKey));
  }

  /** Was this post added since the last visit? */
  isNew(postId) {
    return this.newIds.has(postId);
  }

  /** A post shown live during this visit counts as seen. */
  saw(postId) {
    if (postId > this.seen) {
      this.seen = postId;
      write(this.key, postId);
    }
  }

  /** The board is open at `at` (server ms): what happened until then is not news next time. */
  stillHere(at) {
    if (Number.isFinite(at) && at > this.here) {
      this.here = Math.floor(at);
      write(this.visitKey, this.here);
    }
  }

  /** Proposal ids whose decision this person has been told of and not dismissed. */
  news() {
    return [...this.newsIds];
  }

  /** Keep telling of this decision until it is dismissed. */
  addNews(proposalId) {
    if (this.newsIds.has(proposalId)) return;
    this.newsIds.add(proposalId);
    this.writeNews();
  }

  /** Dismissed (or gone): stop telling of it. */
  dropNews(proposalId) {
    if (!this.newsIds.delete(proposalId)) return;
    this.writeNews();
  }

  writeNews() {
    try {
      localStorage.setItem(this.newsKey, JSON.stringify([...this.newsIds]));
    } catch {
      /* the notice is a nicety */
    }
  }
}
