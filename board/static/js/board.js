// The board page: keeps the server-rendered feed live, filters and sorts it in place,
// and sends the page's forms over the socket through the outbox (outbox.js), so a
// write made on a dead connection waits on the device and goes out once it is back.
// Without JavaScript (or if this fails to load) the forms post as usual.
//
// One render path: the feed is drawn from the board state (built only from server
// events, as every other screen's) plus the writes still in flight, on every change.
//
// Facilitators hide and restore posts from the cards (post.hide / post.restore through
// the outbox, like every write). Everyone sees the public summary of what is hidden
// (#moderation-summary), counted live from the events.
//
// Running the room (issue 5): the session banner (#session: the phase in words, "paused",
// the timer counting down on the server's clock, dots left, pre-moderation and silent
// brainstorming in a word) and the spotlighted post (#spotlight) follow session.changed;
// the composer says why it is closed when the session stops this person posting; notes
// for this person (their post merged, not approved...) go in #notices and the announcer.
//
// Closing the loop (issue 6): each idea's card shows where its proposal to the council
// stands and, once the council has decided, the decision (render.js). A decision arriving
// live is read out politely to everyone; the people who supported the idea also get a
// note in #notices (li.board-notice.notice-decision, id "notice-decided-<proposal id>",
// with a.notice-link to the card), and so do they when they open the board after a
// decision recorded since their last visit (visits.js), until they dismiss it.

import { Announcer } from "./announce.js";
import {
  clock,
  composerReason,
  connectionBanner,
  decisionsArrived,
  dotsLeft,
  errorText,
  phaseText,
  writeBlock as blockFor,
} from "./board_words.js";
import { addressFor, arrange, readView, shows } from "./filters.js";
import { t, tn } from "./i18n.js";
import { BoardConnection, newOpId } from "./live.js";
import { reasonLabel, summaryText } from "./moderation.js";
import { newestIds, Outbox, pendingView, worthRetrying } from "./outbox.js";
import {
  h,
  kindLabel,
  outcomeWords,
  pendingCard,
  postCard,
  setCsrfToken,
  suggestionItems,
  updateCard,
} from "./render.js";
import {
  applyEvent,
  fromSnapshot,
  groupOf,
  isFacilitator,
  isMember,
  myDotsOn,
  serverNow,
  shownProposal,
  spotlightPost,
  supportedBy,
  timerLeft,
  withServerTime,
  withSummary,
} from "./state.js";
import { Visits } from "./visits.js";

const BACK_ONLINE_MS = 4000;
const SLOW_CONNECT_MS = 4000;
const RESYNC_AFTER_HIDDEN_MS = 10000;
const SUMMARY_RETRY_MS = 10000;
// Between two summary requests: 2 s, doubled each time requests come in a row (private
// events in a busy spell, e.g. hidden dots while prioritising), up to 30 s.
const SUMMARY_EVERY_MS = 2000;
const SUMMARY_MAX_GAP_MS = 30000;
const TICK_MS = 250;
const ARRIVING_MS = 1000;

const root = document.getElementById("board");
if (root) start(root);

function start(root) {
  const snapshot = JSON.parse(document.getElementById("board-snapshot").textContent);
  const $ = (id) => document.getElementById(id);
  const composer = $("composer");
  const feed = $("feed");
  const filters = $("feed-filters");
  const connectionEl = $("connection");
  const announcer = new Announcer($("announcer"));
  const code = root.dataset.board;
  const me = {
    id: Number(root.dataset.me || snapshot.me.id),
    role: root.dataset.role || snapshot.me.role,
    name: snapshot.me.name,
    anonymous: Boolean(snapshot.me.anonymous),
  };
  const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content || "";
  setCsrfToken(csrfToken);
  // Cards' disclosures open with their buttons from now on (board.css).
  root.classList.add("is-enhanced");

  let state = fromSnapshot(snapshot);
  let view = readView(filters);
  let pending = { creates: [], posts: new Map() };
  let hereNow = null;
  const editing = new Set(); // post ids with the inline edit form open
  const helpOpen = new Set(); // post ids with the "I can help" form open
  const naming = new Set(); // ideas where an anonymous person is choosing a name to join
  const hideOpen = new Set(); // post ids with a facilitator's "Hide" form open
  const reasons = JSON.parse(root.dataset.reasons || "[]"); // why a post may be hidden
  const reportReasons = JSON.parse(root.dataset.reportReasons || "[]"); // why one may report
  const reported = new Set(); // posts I reported while the page was open
  const notices = []; // {key, text, href?, linkText?, className?, onDismiss?}: until dismissed
  let revoked = false; // my facilitator link was withdrawn while the page was open
  let myOffers = []; // my skill and tool offers: what "I can help" can link
  const visits = new Visits(code, me.id, state.posts.values());
  const outbox = new Outbox(code, me.id);
  const ops = new Map(); // op_id -> write in flight (until its event is applied)
  const drawn = new WeakMap(); // card -> what it was last drawn from
  let started = false; // after the first drawing, new cards arrive with a little motion

  const boardUrl = composer.getAttribute("action").replace(/\/posts$/, "");
  const ctx = {
    me,
    postsUrl: composer.getAttribute("action"),
    page: {
      board_url: boardUrl,
      api_url: `/api/v1/boards/${code}`,
      csrf: csrfToken,
      op_seed: root.dataset.opSeed || newOpId().slice(0, 12),
      lang: root.dataset.lang || document.documentElement.lang || "en",
    },
    isNew: (id) => visits.isNew(id),
    pending: (id) => pending.posts.get(id),
    isEditing: (id) => editing.has(id),
    groupOf: (post) => groupOf(state, post),
    isHelping: (id) => helpOpen.has(id),
    isNaming: (id) => naming.has(id),
    reasons,
    isHiding: (id) => hideOpen.has(id),
    get myOffers() {
      return myOffers;
    },
    reportReasons,
    reported: (id) => reported.has(id),
    myDots: (id) => myDotsOn(state, id),
    get session() {
      return state.session;
    },
    get blocked() {
      return writeBlock();
    },
    get muted() {
      return Boolean(state.me?.muted) && !isFacilitator(state);
    },
    get spotlightId() {
      return state.session.spotlight_post_id;
    },
    proposalOf: (post) => shownProposal(state, post.id),
  };

  /** Why the session stops this person writing at all now: "closed", "locked" or null. */
  function writeBlock() {
    return blockFor(state.session, state.me, isFacilitator(state));
  }

  // --- drawing ----------------------------------------------------------------------

  function redraw() {
    for (const [opId, op] of ops) if (op.seq != null && state.seq >= op.seq) ops.delete(opId);
    pending = pendingView([...ops.values()], state, me.id);
    myOffers = [...state.posts.values()]
      .filter((p) => p.author?.id === me.id && (p.kind === "skill" || p.kind === "tool"))
      .sort((a, b) => a.id - b.id)
      .map((p) => ({ id: p.id, title: p.title }));
    offersKey = JSON.stringify([myOffers, me.anonymous]);
    const posts = [];
    for (const post of state.posts.values()) {
      const overlay = pending.posts.get(post.id);
      if (overlay?.deleting) continue;
      posts.push(overlay?.edit ? { ...post, ...overlay.edit } : post); // an edit shows at once
      if (post.tag) knowTag(post.tag);
    }
    const creates = pending.creates.filter((op) => shows(view, op.payload));
    drawFeed(creates, arrange(posts, view));
    feed.dataset.seq = String(state.seq);
    const empty = $("feed-empty");
    empty.hidden = feed.childElementCount > 0;
    empty.textContent = state.posts.size ? t("feed_no_match") : t("feed_empty");
    drawPresence();
    drawSummary();
    drawSession();
    drawSpotlight();
    drawComposer();
    drawNotices();
    drawConnection();
  }

  // --- the session: banner, timer, spotlight, composer -------------------------------

  function drawSession() {
    const session = state.session;
    const banner = $("session");
    if (!banner) return;
    banner.dataset.phase = session.phase;
    banner.dataset.locked = String(Boolean(session.locked));
    setTextOf($("session-phase"), phaseText(session));
    $("session-locked").hidden = !session.locked || session.phase === "closed";
    $("session-premoderation").hidden = !session.premoderation || session.phase === "closed";
    $("session-silent").hidden = !session.silent || session.phase === "closed";
    const prioritising = session.phase === "prioritise";
    const dots = $("session-dots");
    dots.hidden = !prioritising;
    if (prioritising) {
      let onTheirWay = 0;
      for (const overlay of pending.posts.values()) onTheirWay += overlay.dots || 0;
      const left = dotsLeft(session.dot_budget, state.dotsSpent, onTheirWay);
      setTextOf(dots, tn("dots_left", session.dot_budget, { left }));
      dots.dataset.left = String(left);
    }
    $("session-dots-hidden").hidden = !(prioritising && session.dots_hidden);
    drawTimer();
  }

  let timerWasRunning = false;
  function drawTimer() {
    const el = $("session-timer");
    if (!el) return;
    const left = timerLeft(state);
    el.hidden = left === null;
    if (left === null) {
      timerWasRunning = false;
      return;
    }
    el.dataset.seconds = String(left);
    setTextOf($("session-timer-left"), left > 0 ? clock(left) : t("time_up"));
    $("session-timer-label").hidden = left === 0;
    if (left === 0 && timerWasRunning) announcer.say(t("time_up"));
    timerWasRunning = left > 0;
  }
  setInterval(drawTimer, TICK_MS);

  function drawSpotlight() {
    const box = $("spotlight");
    if (!box) return;
    const post = spotlightPost(state);
    box.hidden = !post;
    if (!post) return;
    box.dataset.postId = String(post.id);
    setTextOf(box.querySelector(".spotlight-kind"), kindLabel(post.kind));
    setTextOf(box.querySelector(".spotlight-title"), post.title);
    const body = box.querySelector(".spotlight-body");
    setTextOf(body, post.body || "");
    body.hidden = !post.body;
    box.querySelector(".spotlight-link").setAttribute("href", `#post-${post.id}`);
  }

  /** The composer, closed with the reason when the session stops this person posting. */
  function drawComposer() {
    const reason = composerReason(state.session, writeBlock(), isFacilitator(state), ctx.muted);
    const note = $("composer-closed");
    setTextOf(note, reason || "");
    note.hidden = !reason;
    if (composer.dataset.closed === String(Boolean(reason))) return;
    composer.dataset.closed = String(Boolean(reason));
    for (const field of composer.elements) {
      if (field.type !== "hidden") field.disabled = Boolean(reason);
    }
  }

  // --- notes for this person ----------------------------------------------------------

  /**
   * Say it (unless `extra.quiet`), and note it until dismissed; a newer note with the same
   * key replaces it. `extra`: {href, linkText} a link in the note, className, onDismiss().
   */
  function notify(key, text, extra = {}) {
    if (!extra.quiet) announcer.say(text);
    const at = notices.findIndex((n) => n.key === key);
    if (at >= 0) {
      notices.splice(at, 1);
      document.getElementById(`notice-${key}`)?.remove();
    }
    notices.push({ ...extra, key, text });
    drawNotices();
  }

  function drawNotices() {
    const list = $("notices");
    if (!list) return;
    const keep = new Set(notices.map((n) => `notice-${n.key}`));
    for (const item of [...list.children]) if (!keep.has(item.id)) item.remove();
    for (const notice of notices) {
      if (document.getElementById(`notice-${notice.key}`)) continue;
      const extraClass = notice.className ? ` ${notice.className}` : "";
      list.append(
        h(
          "li",
          { class: `notice notice-info board-notice${extraClass}`, id: `notice-${notice.key}` },
          h("p", {}, notice.text),
          notice.href
            ? h("a", { class: "notice-link", href: notice.href }, notice.linkText || notice.href)
            : null,
          h("button", { type: "button", class: "notice-dismiss secondary" }, t("dismiss")),
        ),
      );
    }
    list.hidden = notices.length === 0;
  }

  // --- closing the loop: the council's decisions (issue 6) ----------------------------

  /** Did I support the idea this proposal came from? */
  function supportedIdea(proposal) {
    const idea = state.posts.get(proposal.idea_id);
    return Boolean(idea) && supportedBy(idea, me.id);
  }

  function decisionWords(proposal) {
    return { title: proposal.title, outcome: outcomeWords(proposal.decision.outcome) };
  }

  /** "News on an idea you supported…" in #notices, kept (visits.js) until dismissed. */
  function noteDecision(proposal, quiet) {
    visits.addNews(proposal.id);
    notify(`decided-${proposal.id}`, t("card_decided_supported", decisionWords(proposal)), {
      quiet,
      href: `#post-${proposal.idea_id}`,
      linkText: t("card_decided_go_to_card"),
      className: "notice-decision",
      onDismiss: () => visits.dropNews(proposal.id),
    });
  }

  /** Decisions that came in while the page was open: told to everyone, noted for supporters. */
  function tellDecisions(before) {
    for (const proposal of decisionsArrived(before, state)) {
      announcer.say(t("card_decided_now", decisionWords(proposal)));
      if (supportedIdea(proposal)) noteDecision(proposal, true);
    }
  }

  /** As the page opens: decisions since my last visit on ideas I supported, and old news. */
  function decisionsSinceLastVisit() {
    const waiting = new Set(visits.news());
    for (const proposal of state.proposals.values()) {
      if (proposal.state !== "decided" || !proposal.decision) continue;
      const since = visits.lastVisit !== null && Date.parse(proposal.updated_at) > visits.lastVisit;
      if (waiting.delete(proposal.id) || (since && supportedIdea(proposal))) {
        noteDecision(proposal, false);
      }
    }
    for (const gone of waiting) visits.dropNews(gone); // no longer on the board for me
    visits.stillHere(serverNow(state));
  }

  // --- moderation: the public summary ------------------------------------------------

  let summaryAsking = false; // a request for the summary is on its way
  let summaryFailed = -Infinity; // when the last one failed (then wait before asking again)

  function drawSummary() {
    const el = $("moderation-summary");
    const text = summaryText(state.moderation);
    if (el && el.textContent !== text) el.textContent = text;
    if (el) el.hidden = !text;
    if (state.moderation.unsure) refreshSummary();
  }

  let summaryAsked = -Infinity; // when the last request went out
  let summaryGap = SUMMARY_EVERY_MS; // the least time between two requests now
  let summaryLater = null; // a request waiting for the gap to pass

  /** A post left the hidden count for a reason this page never knew: ask the server. */
  async function refreshSummary(waited = false) {
    if (summaryAsking || summaryLater || Date.now() - summaryFailed < SUMMARY_RETRY_MS) return;
    // Many private events in a row ask once in a while, not each time.
    const since = Date.now() - summaryAsked;
    if (since > SUMMARY_MAX_GAP_MS) summaryGap = SUMMARY_EVERY_MS;
    if (waited) {
      summaryGap = Math.min(summaryGap * 2, SUMMARY_MAX_GAP_MS);
    } else if (since < summaryGap) {
      summaryLater = setTimeout(() => {
        summaryLater = null;
        if (state.moderation.unsure) refreshSummary(true);
      }, summaryGap - since);
      return;
    }
    summaryAsked = Date.now();
    summaryAsking = true;
    let fresh = null;
    try {
      const response = await fetch(`/api/v1/boards/${code}/snapshot`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      fresh = await response.json();
    } catch {
      summaryFailed = Date.now(); // offline: asked again on a later change
    }
    summaryAsking = false;
    if (!fresh) return;
    // Counted from its seq on; still unsure only if a newer event came first (asks again).
    state = withSummary(state, fresh.moderation, fresh.seq);
    redraw();
  }

  function drawFeed(creates, posts) {
    let focused = document.activeElement;
    // Focus left on a moderation block whose button changed: back on its (new) button.
    if (focused?.classList?.contains("moderation-box") && feed.contains(focused)) {
      focused = null;
    }
    const items = [
      ...creates.map((op) => [`op-${op.op_id}`, () => pendingCard(op, ctx), null]),
      ...posts.map((post) => [`post-${post.id}`, () => postCard(post, ctx), post]),
    ];
    const keep = new Set(items.map(([key]) => key));
    for (const card of [...feed.children]) if (!keep.has(card.id)) dropCard(card);
    let cursor = feed.firstElementChild;
    for (const [key, make, post] of items) {
      let card = document.getElementById(key);
      if (!card) {
        card = make();
        if (post) drawn.set(card, signature(post));
        if (started) arriving(card);
      } else if (post) {
        refresh(card, post);
      }
      if (card === cursor) cursor = cursor.nextElementSibling;
      else feed.insertBefore(card, cursor);
    }
    // Moving a card blurs what was focused in it: put the focus back where it was.
    if (focused !== document.activeElement && focused?.isConnected && feed.contains(focused)) {
      focused.focus({ preventScroll: true });
    }
    const box = document.activeElement;
    if (box?.classList?.contains("moderation-box") && feed.contains(box)) {
      box
        .querySelector("button.restore, button.hide, button.approve")
        ?.focus({ preventScroll: true });
    }
  }

  /** A little motion for a card that arrives live; the class goes once it has played. */
  function arriving(card) {
    card.classList.add("is-arriving");
    const done = () => card.classList.remove("is-arriving");
    card.addEventListener("animationend", done, { once: true });
    setTimeout(done, ARRIVING_MS);
  }

  let offersKey = "";
  function signature(post) {
    const id = post.id;
    const extra = [visits.isNew(id), editing.has(id), ctx.pending(id), hideOpen.has(id), me.role];
    const session = state.session;
    extra.push(session.phase, ctx.blocked, ctx.muted, reported.has(id), myDotsOn(state, id));
    extra.push(ctx.spotlightId === id);
    if (post.kind === "idea" || post.kind === "need") {
      const group = groupOf(state, post);
      extra.push(helpOpen.has(id), naming.has(id), offersKey, group);
    }
    if (post.kind === "idea") extra.push(ctx.proposalOf(post));
    return { post, extra: JSON.stringify(extra) };
  }

  function refresh(card, post) {
    const was = drawn.get(card);
    const now = signature(post);
    if (was && was.post === now.post && was.extra === now.extra) return;
    updateCard(card, post, ctx);
    drawn.set(card, now);
  }

  function dropCard(card) {
    const hadFocus = card.contains(document.activeElement);
    const postId = Number(card.dataset.postId);
    editing.delete(postId);
    card.remove();
    if (hadFocus) {
      const heading = $("feed-heading");
      heading.setAttribute("tabindex", "-1");
      heading.focus();
      if (postId && !state.posts.has(postId)) {
        announcer.say(
          t(state.hiddenReasons.has(postId) ? "hidden_elsewhere" : "deleted_elsewhere"),
        );
      }
    }
  }

  const knownTags = new Set([...filters.elements.tag.options].map((o) => o.value));
  function knowTag(tag) {
    if (knownTags.has(tag)) return;
    knownTags.add(tag);
    filters.elements.tag.append(h("option", { value: tag }, tag));
  }

  function drawPresence() {
    let text = t("joined", { count: state.participants });
    if (hereNow !== null) text += ` · ${t("here_now", { count: hereNow })}`;
    const el = $("presence");
    if (el.textContent !== text) el.textContent = text;
  }

  // "3 new posts since your last visit": counted once, when the page opens.
  const newCount = [...state.posts.keys()].filter((id) => visits.isNew(id)).length;
  if (newCount) {
    $("since-visit").textContent = tn("new_since_visit", newCount);
    $("since-visit").hidden = false;
  }

  // --- connection banner ------------------------------------------------------------

  let link = "connecting"; // connecting | online | offline | refused
  let lost = false; // the connection dropped and has not come back yet
  let backOnline = false; // show "Back online" for a few seconds
  let slow = false; // the first connection is taking a while
  let refusal = null;
  let slowTimer = null;
  let backTimer = null;
  let shown = null;

  function onStatus(status, error) {
    if (revoked && status !== "refused") return; // the withdrawn link's notice stays
    clearTimeout(slowTimer);
    slow = false;
    if (status === "connecting") {
      link = "connecting";
      slowTimer = setTimeout(() => {
        slow = true;
        drawConnection();
      }, SLOW_CONNECT_MS);
    } else if (status === "offline") {
      link = "offline";
      lost = true;
      backOnline = false;
    } else if (status === "online") {
      link = "online";
      if (lost) {
        lost = false;
        backOnline = true;
        clearTimeout(backTimer);
        backTimer = setTimeout(() => {
          backOnline = false;
          drawConnection();
        }, BACK_ONLINE_MS);
      }
    } else if (status === "refused") {
      link = "refused";
      refusal = error;
    }
    drawConnection();
  }

  function drawConnection() {
    const banner = connectionBanner({
      link,
      lost,
      backOnline,
      slow,
      refusal,
      waiting: [...ops.values()].filter((op) => !op.result).length,
      staff: snapshot.me.role === "facilitator", // as the page opened
      boardUrl,
    });
    const parts = banner.parts.map((p) =>
      typeof p === "string" ? p : h("a", { href: p.href }, p.text),
    );
    const shownState = banner.state;
    const tone = banner.tone;
    const words = parts.map((p) => (typeof p === "string" ? p : p.outerHTML)).join("");
    const key = `${shownState}|${tone}|${words}`;
    if (key === shown) return; // unchanged: do not make screen readers repeat it
    shown = key;
    connectionEl.dataset.state = shownState;
    connectionEl.className = tone ? `connection connection-${tone}` : "connection";
    connectionEl.replaceChildren(...parts);
    // Room below the pinned notice, so it never covers the end of the page.
    document.documentElement.classList.toggle("has-connection-notice", parts.length > 0);
  }

  // --- the live connection ----------------------------------------------------------

  const connection = new BoardConnection({
    board: code,
    seq: state.seq,
    onEvent(envelope) {
      const before = state;
      state = applyEvent(state, envelope);
      const arrived = ["post.created", "post.approved"].includes(envelope.type);
      const post = arrived ? envelope.data.post : null;
      if (post) {
        visits.saw(post.id);
        const news = post.author.id !== me.id && before.posts.get(post.id)?.state !== "pending";
        if (news && (post.state || "visible") === "visible") announcer.newPost(post.title);
      }
      for (const shown of envelope.type === "posts.revealed" ? envelope.data.posts || [] : []) {
        visits.saw(shown.id);
      }
      if (state.me) {
        me.name = state.me.name;
        me.anonymous = Boolean(state.me.anonymous);
      }
      announceTogether(envelope);
      announceModeration(envelope, before);
      announceSession(envelope, before);
      if (envelope.type === "proposal.changed") {
        tellDecisions(before);
        visits.stillHere(Date.parse(envelope.at || ""));
      }
      if (state.me?.revoked && !revoked) linkWithdrawn();
      if (state.me?.removed && !revoked) linkWithdrawn();
      redraw();
      // Suggestions on show leave out offers already linked: ask again when that changes.
      if (envelope.type === "link.created" || envelope.type === "link.removed") {
        const target = envelope.data.link?.target_id ?? envelope.data.target_id;
        const open = document.querySelector(`#post-${target} details.suggestions[open]`);
        if (open) loadSuggestions(open);
      }
    },
    onSnapshot(fresh) {
      const before = state;
      state = fromSnapshot(fresh);
      for (const post of state.posts.values()) visits.saw(post.id);
      tellDecisions(before);
      visits.stillHere(serverNow(state));
      redraw();
    },
    onPresence(count) {
      hereNow = count;
      drawPresence();
    },
    onClock(iso) {
      state = withServerTime(state, iso);
      drawTimer();
    },
    onStatus,
  }).start();

  /** The session, and what happened to my posts, told politely (and noted when it lasts). */
  function announceSession(envelope, before) {
    const data = envelope.data || {};
    const type = envelope.type;
    if (type === "session.changed" && data.session) {
      const changed = data.changed || [];
      const session = state.session;
      if (changed.includes("phase")) announcer.say(t("phase_now", { phase: phaseText(session) }));
      else if (changed.includes("locked")) {
        announcer.say(t(session.locked ? "paused_now" : "resumed_now"));
      } else if (changed.includes("spotlight_post_id") && spotlightPost(state)) {
        announcer.say(t("spotlight_now", { title: spotlightPost(state).title }));
      } else if (changed.includes("timer") && session.timer) {
        announcer.say(t("timer_started", { time: clock(timerLeft(state) ?? 0) }));
      }
    } else if (type === "posts.revealed") {
      announcer.say(tn("posts_revealed", (data.posts || []).length));
    } else if (type === "dots.revealed") {
      announcer.say(t("dots_revealed_now"));
    } else if (type === "post.approved" && data.post?.author?.id === me.id) {
      if (!isFacilitator(state)) announcer.say(t("approved_yours", { title: data.post.title }));
    } else if (type === "post.rejected") {
      const post = before.posts.get(data.post_id);
      if (post?.author?.id === me.id && !isFacilitator(state)) {
        const reason = reasonLabel(data.reason);
        notify(`rejected-${data.post_id}`, t("rejected_yours", { title: data.title, reason }));
      }
    } else if (type === "post.merged" && data.into) {
      if (data.from_author_id === me.id) {
        notify(
          `merged-${data.from_id}`,
          t("merged_yours", { from: data.from_title, into: data.into.title }),
        );
      } else if (data.into.author?.id === me.id) {
        notify(`merged-${data.from_id}`, t("merged_into_yours", { title: data.into.title }));
      }
    } else if (type === "participant.muted" && data.participant_id === me.id) {
      notify("muted", t(data.muted ? "composer_muted" : "unmuted"));
    }
  }

  /** Tell the idea's author (and the group's members) who has come to help, politely. */
  function announceTogether(envelope) {
    const data = envelope.data || {};
    if (envelope.type === "link.created" && data.link) {
      const target = state.posts.get(data.link.target_id);
      if (target && target.author?.id === me.id && data.link.helper?.id !== me.id) {
        announcer.say(
          t("helper_arrived", {
            name: data.link.helper?.name || t("anonymous"),
            title: target.title,
          }),
        );
      }
    } else if (envelope.type === "group.created" || envelope.type === "group.member_joined") {
      const group = data.group;
      if (!group) return;
      const who = envelope.type === "group.created" ? group.coordinator_id : data.participant_id;
      const idea = state.posts.get(group.idea_id);
      const mine = idea?.author?.id === me.id || isMember(group, me.id);
      if (who === me.id || !mine) return;
      const person = (group.members || []).find((p) => p.id === who);
      announcer.say(
        t("member_joined", { name: person?.name || t("anonymous_member"), group: group.name }),
      );
    }
  }

  /** What other facilitators do, told politely (our own actions are told on their ack). */
  function announceModeration(envelope, before) {
    const data = envelope.data || {};
    const mine = (name, postId) =>
      [...ops.values()].some((op) => op.name === name && op.payload.post_id === postId);
    if (envelope.type === "post.hidden") {
      const post = before.posts.get(data.post_id);
      if (!post || mine("post.hide", post.id)) return;
      if (me.role === "facilitator") {
        announcer.say(t("hidden_by_other", { title: post.title }));
      } else if (post.author?.id === me.id) {
        announcer.say(
          t("your_post_hidden", { title: post.title, reason: reasonLabel(data.reason) }),
        );
      } else {
        announcer.say(summaryText(state.moderation) || t("hidden_elsewhere"));
      }
    } else if (envelope.type === "post.restored" && data.post) {
      if (mine("post.restore", data.post.id)) return;
      announcer.say(t("restored_notice", { title: data.post.title }));
    }
  }

  /** My link was withdrawn or I was removed: stop, and say so (a reload shows the refusal). */
  function linkWithdrawn() {
    revoked = true;
    me.role = "participant";
    hideOpen.clear();
    connection.close();
    onStatus("refused", { code: state.me?.removed ? "removed" : "access_revoked" });
  }

  // The browser knows about a lost network long before a ping times out.
  window.addEventListener("offline", () => connection.pause());
  window.addEventListener("online", () => connection.resume());

  let hiddenSince = null;
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      hiddenSince = Date.now();
    } else if (
      !revoked &&
      hiddenSince !== null &&
      Date.now() - hiddenSince > RESYNC_AFTER_HIDDEN_MS
    ) {
      connection.resync(); // a phone back from the lock screen: check what it missed
    }
  });

  // --- writes: the outbox -----------------------------------------------------------

  function queue(name, payload, extra = {}) {
    const after = newestIds(state); // our own posts and comments above these are new
    const op = { op_id: newOpId(), name, payload, after, at: Date.now(), ...extra };
    ops.set(op.op_id, op);
    outbox.add(op);
    send(op);
    redraw();
    return op;
  }

  function send(op) {
    connection.send(op.name, { ...op.payload, op_id: op.op_id }).then((ack) => settle(op, ack));
  }

  function settle(op, ack) {
    if (ack?.ok) {
      // Done on the server. The card stays "Sending…" until the event with this seq is
      // applied, so the real card replaces it in the same redraw.
      op.result = ack.data || {};
      op.seq = op.result.seq ?? state.seq;
      outbox.remove(op.op_id);
      if (op.name === "post.create") {
        const held = op.result.post?.state;
        announcer.say(
          held === "pending"
            ? t("state_pending")
            : held === "silent"
              ? t("state_silent")
              : t("post_sent"),
        );
      }
      if (op.name === "post.delete") announcer.say(t("post_deleted"));
      if (op.name === "link.create") announcer.say(t("help_sent"));
      if (op.name === "link.remove") announcer.say(t("help_withdrawn"));
      if (op.name === "group.join") {
        announcer.say(t("joined_group", { group: op.result.group?.name || "" }));
      }
      if (op.name === "group.leave") announcer.say(t("left_group"));
      if (op.name === "post.hide") announcer.say(t("post_hidden"));
      if (op.name === "post.restore") announcer.say(t("post_restored"));
      if (op.name === "post.approve") announcer.say(t("approved"));
      if (op.name === "post.reject") announcer.say(t("rejected"));
      if (op.name === "post.report") {
        reported.add(op.payload.post_id);
        announcer.say(t("report_thanks"));
      }
      if (op.name === "dot.place" || op.name === "dot.take_back") {
        const budget = op.result.budget ?? state.session.dot_budget;
        const left = Math.max(0, budget - (op.result.spent ?? state.dotsSpent));
        announcer.say(tn("dots_left", budget, { left }));
      }
      redraw();
      return;
    }
    // Signed out (or refused before it went out): keep it on the device; the banner says
    // why. Any other refusal (the board is locked, slow mode...) is final: show it.
    if (worthRetrying(ack?.error)) return;
    ops.delete(op.op_id);
    outbox.remove(op.op_id);
    redraw();
    failed(op, ack.error);
  }

  // Writes left by an earlier visit (offline, or reloaded before the ack): same op ids.
  for (const stored of outbox.list()) {
    if (!stored?.op_id || !stored.name || ops.has(stored.op_id)) continue;
    const op = { ...stored };
    ops.set(op.op_id, op);
    send(op);
  }

  function failed(op, error) {
    const postId = op.payload.post_id ?? cardOf(op);
    const card = document.getElementById(`post-${postId}`);
    if (op.name === "post.create") {
      // Give the words back, so nothing typed is lost.
      const fields = composer.elements;
      if (!fields.title.value) {
        fields.title.value = op.payload.title;
        fields.body.value = op.payload.body || "";
        const kind = composer.querySelector(`input[name="kind"][value="${op.payload.kind}"]`);
        if (kind) kind.checked = true;
        if (fields.tag && op.payload.tag) fields.tag.value = op.payload.tag;
        if (fields.availability) fields.availability.value = op.payload.availability || "";
        showAvailability();
      }
      showError(composer, error);
    } else if (op.name === "comment.create" && card) {
      const form = card.querySelector(".comment-form");
      if (!form.elements.body.value) form.elements.body.value = op.payload.body;
      showError(form, error);
    } else if (op.name.startsWith("link.") || op.name.startsWith("group.")) {
      const box = card?.querySelector(
        op.name.startsWith("link.") ? ".help-box, .helpers" : ".group-box",
      );
      const form = box?.querySelector("form:not([hidden])");
      if (form) showError(form, error);
      else if (box) showError(box, error);
      else announcer.say(errorText(error));
    } else if (op.name.startsWith("dot.") || op.name === "post.report") {
      const box = card?.querySelector(op.name === "post.report" ? ".report-box" : ".dot-box");
      if (box) showError(box, error);
      else announcer.say(errorText(error));
    } else if (op.name === "post.approve" || op.name === "post.reject") {
      const box = card?.querySelector(".moderation-box");
      if (box) showError(box, error);
      else announcer.say(errorText(error));
    } else if (op.name === "post.hide" || op.name === "post.restore") {
      const box = card?.querySelector(".moderation-box");
      const form = box?.querySelector("form:not([hidden])");
      if (form) showError(form, error);
      else announcer.say(errorText(error));
    } else if (card) {
      showError(card.querySelector(".support-form"), error);
    } else {
      announcer.say(errorText(error));
    }
  }

  /** The post a link or group write was about, for ops that name a link or a group. */
  function cardOf(op) {
    if (op.payload.group_id) {
      const group = state.groups.get(op.payload.group_id);
      if (group) return group.idea_id;
    }
    return op.target ?? null;
  }

  // --- forms ------------------------------------------------------------------------

  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (form === filters) {
      event.preventDefault();
      applyView();
      return;
    }
    const postId = Number(form.closest("article.post")?.dataset.postId);
    if (form === composer) {
      event.preventDefault();
      createPost(form);
    } else if (!postId) {
      return; // not one of ours: let the browser post it
    } else if (form.classList.contains("support-form")) {
      event.preventDefault();
      clearError(form);
      const before = form.querySelector("button.support").getAttribute("aria-pressed") === "true";
      queue("support.toggle", { post_id: postId }, { before });
    } else if (form.classList.contains("comment-form")) {
      event.preventDefault();
      clearError(form);
      const input = form.elements.body;
      if (!input.value.trim()) return;
      queue("comment.create", { post_id: postId, body: input.value });
      input.value = "";
    } else if (form.classList.contains("delete-form")) {
      event.preventDefault();
      if (!window.confirm(t("confirm_delete"))) return;
      moveFocusOffCard(form);
      queue("post.delete", { post_id: postId });
    } else if (form.classList.contains("edit-form")) {
      event.preventDefault();
      saveEdit(form, postId);
    } else if (form.classList.contains("help-form")) {
      event.preventDefault();
      clearError(form);
      const value = form.elements.offer_id?.value;
      const payload = { post_id: postId };
      if (value) payload.offer_id = Number(value);
      helpOpen.delete(postId);
      queue("link.create", payload);
      focusIn(postId, "button.can-help");
    } else if (form.classList.contains("unlink-form")) {
      event.preventDefault();
      const linkId = Number(form.closest("li.helper")?.id.replace("link-", ""));
      if (!linkId) return;
      queue("link.remove", { link_id: linkId }, { target: postId });
    } else if (form.classList.contains("join-form")) {
      event.preventDefault();
      clearError(form);
      if (me.anonymous && !naming.has(postId)) {
        // Offer a name first: "Stay anonymous" is just leaving it empty.
        naming.add(postId);
        redraw();
        focusIn(postId, ".join-name input");
        return;
      }
      const name = form.elements.display_name?.value.trim();
      naming.delete(postId);
      queue("group.join", name ? { post_id: postId, display_name: name } : { post_id: postId });
    } else if (form.classList.contains("leave-form")) {
      event.preventDefault();
      const groupId = state.posts.get(postId)?.group?.id;
      if (groupId) queue("group.leave", { group_id: groupId });
    } else if (form.classList.contains("hide-form")) {
      event.preventDefault();
      clearError(form);
      const payload = { post_id: postId, reason: form.elements.reason.value };
      const note = form.elements.note?.value.trim();
      if (note) payload.note = note;
      hideOpen.delete(postId);
      queue("post.hide", payload);
    } else if (form.classList.contains("restore-form")) {
      event.preventDefault();
      clearError(form);
      queue("post.restore", { post_id: postId });
    } else if (form.classList.contains("dot-form") || form.classList.contains("undot-form")) {
      event.preventDefault();
      clearError(form.closest(".dot-box"));
      queue(form.classList.contains("dot-form") ? "dot.place" : "dot.take_back", {
        post_id: postId,
      });
    } else if (form.classList.contains("report-form")) {
      event.preventDefault();
      const reason = form.querySelector('input[name="reason"]:checked')?.value;
      if (!reason) return;
      clearError(form.closest(".report-box"));
      queue("post.report", { post_id: postId, reason });
    } else if (form.classList.contains("approve-form")) {
      event.preventDefault();
      queue("post.approve", { post_id: postId });
    } else if (form.classList.contains("reject-form")) {
      event.preventDefault();
      const payload = { post_id: postId, reason: form.elements.reason.value };
      const note = form.elements.note?.value.trim();
      if (note) payload.note = note;
      queue("post.reject", payload);
    }
  });

  // --- a facilitator's "Hide" form --------------------------------------------------

  function toggleHide(card, open) {
    const id = Number(card?.dataset.postId);
    if (!id) return;
    if (open) hideOpen.add(id);
    else hideOpen.delete(id);
    redraw();
    focusIn(id, open ? ".hide-form select" : "button.hide");
  }

  function focusIn(postId, selector) {
    const target = document.getElementById(`post-${postId}`)?.querySelector(selector);
    if (target && !target.closest("[hidden]")) target.focus();
  }

  // --- "I can help" and suggested helpers -------------------------------------------

  function toggleHelp(card, open) {
    const id = Number(card?.dataset.postId);
    if (!id) return;
    if (open) helpOpen.add(id);
    else helpOpen.delete(id);
    redraw();
    focusIn(id, open ? ".help-form select" : "button.can-help");
  }

  // `toggle` does not bubble: listen in the capture phase.
  root.addEventListener(
    "toggle",
    (event) => {
      const details = event.target;
      if (details.matches?.("details.suggestions") && details.open) loadSuggestions(details);
    },
    true,
  );

  async function loadSuggestions(details) {
    const results = details.querySelector(".suggestion-results");
    const status = results?.querySelector(".suggestion-status");
    const list = results?.querySelector(".suggestion-list");
    if (!results || !status || !list) return;
    const asked = String(Number(results.dataset.asked || 0) + 1);
    results.dataset.asked = asked; // only the newest answer is shown
    if (!list.childElementCount) status.textContent = t("suggestions_loading");
    let found = null;
    try {
      const response = await fetch(results.dataset.url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      found = (await response.json()).suggestions || [];
    } catch {
      found = null;
    }
    if (results.dataset.asked !== asked) return;
    list.replaceChildren(...suggestionItems(found || []));
    const text = !found
      ? t("suggestions_failed")
      : found.length
        ? tn("suggestions_found", found.length)
        : t("no_suggestions");
    setTextOf(status, text);
  }

  function setTextOf(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  function createPost(form) {
    const fields = form.elements;
    const payload = {
      kind: form.querySelector('input[name="kind"]:checked')?.value || "idea",
      title: fields.title.value,
      body: fields.body.value,
    };
    if (!payload.title.trim()) return;
    if (fields.tag?.value) payload.tag = fields.tag.value;
    if (payload.kind !== "idea" && fields.availability?.value.trim()) {
      payload.availability = fields.availability.value;
    }
    clearError(form);
    if (!shows(view, payload)) {
      // Otherwise the new post would vanish behind the filter the person forgot about.
      filters.elements.kind.value = "";
      filters.elements.tag.value = "";
      applyView(false);
      announcer.say(t("filters_cleared"));
    }
    const op = queue("post.create", payload);
    fields.title.value = "";
    fields.body.value = "";
    if (fields.availability) fields.availability.value = "";
    // Show where it went (the feed is below the composer on a phone).
    document.getElementById(`op-${op.op_id}`)?.scrollIntoView({ block: "nearest" });
  }

  function moveFocusOffCard(form) {
    const heading = $("feed-heading");
    heading.setAttribute("tabindex", "-1");
    if (form.contains(document.activeElement)) heading.focus();
  }

  // "When?" is for offers and needs: hidden while the composer says "idea".
  const availabilityField = $("availability-field");
  function showAvailability() {
    if (!availabilityField) return;
    const kind = composer.querySelector('input[name="kind"]:checked')?.value;
    availabilityField.hidden = kind === "idea";
  }
  composer.addEventListener("change", (event) => {
    if (event.target.name === "kind") showAvailability();
  });
  showAvailability();

  // --- filters and sort -------------------------------------------------------------

  function applyView(announce = true) {
    view = readView(filters);
    history.replaceState(history.state, "", addressFor(view));
    redraw();
    if (announce) announcer.say(tn("showing", feed.childElementCount));
  }

  filters.addEventListener("change", (event) => {
    if (event.target.matches("select")) applyView();
  });
  filters.querySelector('button[type="submit"]').hidden = true; // changes apply at once

  // --- inline edit (the edit page is the no-JavaScript way) -------------------------

  root.addEventListener("click", (event) => {
    const editLink = event.target.closest?.(".edit-link");
    if (event.target.closest?.("button.can-help")) {
      const button = event.target.closest("button.can-help");
      toggleHelp(button.closest("article.post"), button.getAttribute("aria-expanded") !== "true");
    } else if (event.target.closest?.(".help-cancel")) {
      toggleHelp(event.target.closest("article.post"), false);
    } else if (event.target.closest?.("button.hide")) {
      const button = event.target.closest("button.hide");
      toggleHide(button.closest("article.post"), button.getAttribute("aria-expanded") !== "true");
    } else if (event.target.closest?.(".hide-cancel")) {
      toggleHide(event.target.closest("article.post"), false);
    } else if (editLink) {
      event.preventDefault();
      openEditor(editLink.closest("article.post"));
    } else if (event.target.closest?.(".edit-cancel")) {
      closeEditor(event.target.closest("article.post"));
    } else if (event.target.closest?.(".notice-dismiss")) {
      const item = event.target.closest(".board-notice");
      const at = notices.findIndex((n) => `notice-${n.key}` === item?.id);
      if (at >= 0) notices.splice(at, 1)[0].onDismiss?.();
      drawNotices();
      $("feed-heading").setAttribute("tabindex", "-1");
      $("feed-heading").focus();
    } else if (event.target.closest?.(".to-composer")) {
      event.preventDefault();
      composer.elements.title.focus();
      composer.scrollIntoView({ block: "start" });
    }
  });

  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && event.target.closest?.(".edit-form")) {
      closeEditor(event.target.closest("article.post"));
    } else if (event.key === "Escape" && event.target.closest?.(".help-form")) {
      toggleHelp(event.target.closest("article.post"), false);
    } else if (event.key === "Escape" && event.target.closest?.(".hide-form")) {
      toggleHide(event.target.closest("article.post"), false);
    }
  });

  function openEditor(card) {
    const id = Number(card?.dataset.postId);
    const post = state.posts.get(id);
    if (!post || editing.has(id)) return;
    editing.add(id);
    const field = (name) => `edit-${id}-${name}`;
    const tags = [...new Set([...(state.board.tags || []), ...(post.tag ? [post.tag] : [])])];
    const form = h(
      "form",
      { class: "edit-form stack", method: "post", action: `${ctx.postsUrl}/${id}/edit` },
      h(
        "fieldset",
        { class: "kinds" },
        h("legend", {}, t("what_posting")),
        ...["idea", "skill", "tool", "need"].map((kind) =>
          h(
            "label",
            {},
            h("input", { type: "radio", name: "kind", value: kind, checked: kind === post.kind }),
            ` ${kindLabel(kind)}`,
          ),
        ),
      ),
      h("label", { for: field("title") }, t("title")),
      h("input", {
        id: field("title"),
        name: "title",
        maxlength: "120",
        required: "",
        value: post.title,
      }),
      h("label", { for: field("body") }, t("more_detail")),
      h(
        "textarea",
        { id: field("body"), name: "body", maxlength: "2000", rows: "3" },
        post.body || "",
      ),
      h("label", { for: field("availability") }, t("when_optional")),
      h("input", {
        id: field("availability"),
        name: "availability",
        maxlength: "80",
        value: post.availability || "",
      }),
      tags.length ? h("label", { for: field("tag") }, t("theme")) : null,
      tags.length
        ? h(
            "select",
            { id: field("tag"), name: "tag" },
            h("option", { value: "" }, t("no_theme")),
            ...tags.map((tag) => h("option", { value: tag, selected: tag === post.tag }, tag)),
          )
        : null,
      h(
        "div",
        { class: "edit-buttons" },
        h("button", { type: "submit" }, t("save_changes")),
        h("button", { type: "button", class: "edit-cancel secondary" }, t("cancel")),
      ),
    );
    card.querySelector(".post-actions").after(form);
    refresh(card, displayed(id));
    form.elements.title.focus();
  }

  function displayed(id) {
    const post = state.posts.get(id);
    const edit = pending.posts.get(id)?.edit;
    return edit ? { ...post, ...edit } : post;
  }

  function closeEditor(card) {
    const id = Number(card?.dataset.postId);
    card.querySelector(".edit-form")?.remove();
    editing.delete(id);
    if (state.posts.has(id)) refresh(card, displayed(id));
    card.querySelector(".edit-link")?.focus();
  }

  function saveEdit(form, postId) {
    const post = state.posts.get(postId);
    const card = form.closest("article.post");
    if (!post) return closeEditor(card);
    const fields = form.elements;
    const wanted = {
      kind: form.querySelector('input[name="kind"]:checked')?.value || post.kind,
      title: fields.title.value,
      body: fields.body.value,
      tag: fields.tag ? fields.tag.value || null : post.tag,
      availability: fields.availability.value.trim() || null,
    };
    const changes = {};
    for (const [name, value] of Object.entries(wanted)) {
      if ((value ?? "") !== (post[name] ?? "")) changes[name] = value;
    }
    closeEditor(card);
    if (Object.keys(changes).length) queue("post.update", { post_id: postId, ...changes });
  }

  // --- reaching the composer with one thumb -----------------------------------------

  const jump = root.querySelector(".to-composer");
  if (jump && "IntersectionObserver" in window) {
    new IntersectionObserver(([entry]) => {
      jump.hidden = entry.isIntersecting;
    }).observe(composer);
  }

  decisionsSinceLastVisit();
  redraw();
  started = true;
}

/** Where a form's error goes: after the form, or after the row of small action forms. */
function errorAnchor(form) {
  return form.closest(".post-actions") || form;
}

function showError(form, error) {
  if (!form) return;
  const anchor = errorAnchor(form);
  let box = anchor.nextElementSibling;
  if (!box || !box.classList.contains("form-error")) {
    box = h("p", { class: "notice notice-error form-error", role: "alert" });
    anchor.after(box);
  }
  box.textContent = errorText(error);
  for (const field of form.querySelectorAll("[aria-invalid]")) {
    field.removeAttribute("aria-invalid");
  }
  for (const name of Object.keys(error?.fields || {})) {
    const field = form.elements?.[name];
    if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
  }
}

function clearError(form) {
  const box = errorAnchor(form).nextElementSibling;
  if (box && box.classList.contains("form-error")) box.remove();
  for (const field of form.querySelectorAll("[aria-invalid]")) {
    field.removeAttribute("aria-invalid");
  }
}
