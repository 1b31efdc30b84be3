// The board page worked out without the DOM, for the board_*.js modules to draw: what it
// says (phase, clock, why the composer is closed, the connection banner, refused and done
// writes, what an event tells this person, decisions that are news) and what it shows
// (the feed with the writes in flight, the banners, notes, when to ask for the summary).

import { arrange, shows } from "./filters.js";
import { t, tn } from "./i18n.js";
import { reasonLabel, summaryText } from "./moderation.js";
import { pendingView } from "./outbox.js";
import { isFacilitator, isMember, spotlightPost, supportedBy, timerLeft } from "./state.js";

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
