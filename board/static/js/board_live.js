// What the server tells the board page: the live connection (live.js), its banner and
// resync; the session banner, timer and spotlight; events read out; notes in #notices
// until dismissed, among them the council's decisions on ideas I supported (also those
// since my last visit, board_words.js Visits); the public summary of what is hidden.

import {
  LINK_START,
  SummaryPacer,
  clock,
  connectionBanner,
  decisionNotes,
  decisionsArrived,
  eventNews,
  linkAfter,
  phaseText,
  sessionBanner,
  supportedIdea,
  timerTick,
  waitingCount,
  withNotice,
  withoutNotice,
} from "./board_words.js";
import { t, tn } from "./i18n.js";
import { BoardConnection } from "./live.js";
import { summaryText } from "./moderation.js";
import { h, kindLabel, outcomeWords } from "./render.js";
import {
  applyEvent,
  fromSnapshot,
  serverNow,
  spotlightPost,
  withServerTime,
  withSummary,
} from "./state.js";

const BACK_ONLINE_MS = 4000;
const SLOW_CONNECT_MS = 4000;
const RESYNC_AFTER_HIDDEN_MS = 10000;
const TICK_MS = 250;

/** Screen readers repeat a rewritten text: set it only when it changes. */
export function setTextOf(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** The session banner and spotlight of the board page `b` (board.js). */
export function boardSession(b) {
  const $ = (id) => document.getElementById(id);
  let timerWasRunning = false;

  function draw() {
    drawBanner();
    drawSpotlight();
  }

  function drawBanner() {
    const banner = $("session");
    if (!banner) return;
    const session = b.state.session;
    const shown = sessionBanner(session, b.state.dotsSpent, b.pending.posts);
    banner.dataset.phase = session.phase;
    banner.dataset.locked = String(Boolean(session.locked));
    setTextOf($("session-phase"), phaseText(session));
    $("session-locked").hidden = !shown.locked;
    $("session-premoderation").hidden = !shown.premoderation;
    $("session-silent").hidden = !shown.silent;
    const dots = $("session-dots");
    dots.hidden = shown.dotsLeft === null;
    if (shown.dotsLeft !== null) {
      setTextOf(dots, tn("dots_left", session.dot_budget, { left: shown.dotsLeft }));
      dots.dataset.left = String(shown.dotsLeft);
    }
    $("session-dots-hidden").hidden = !shown.dotsHidden;
    drawTimer();
  }

  function drawTimer() {
    const el = $("session-timer");
    if (!el) return;
    const tick = timerTick(b.state, timerWasRunning);
    el.hidden = tick === null;
    timerWasRunning = Boolean(tick?.running);
    if (!tick) return;
    el.dataset.seconds = String(tick.left);
    setTextOf($("session-timer-left"), tick.left > 0 ? clock(tick.left) : t("time_up"));
    $("session-timer-label").hidden = tick.left === 0;
    if (tick.timeUp) b.announcer.say(t("time_up"));
  }
  setInterval(drawTimer, TICK_MS);

  function drawSpotlight() {
    const box = $("spotlight");
    if (!box) return;
    const post = spotlightPost(b.state);
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

  return { draw, drawTimer };
}

// Private events come in busy spells (hidden dots while prioritising): ask at most every
// 2 s, doubled while they last, up to 30 s; 10 s after a failure.
const SUMMARY = { everyMs: 2000, maxGapMs: 30000, retryMs: 10000 };

/** The notices of the board page `b` (board.js). */
export function boardNotices(b) {
  const { announcer, me, visits } = b;
  const $ = (id) => document.getElementById(id);

  /** Say it (unless `extra.quiet`) and note it; `extra`: href, linkText, className, onDismiss. */
  function notify(key, text, extra = {}) {
    if (!extra.quiet) announcer.say(text);
    if (b.notices.some((n) => n.key === key)) $(`notice-${key}`)?.remove();
    b.notices = withNotice(b.notices, { ...extra, key, text });
    draw();
  }

  function draw() {
    const list = $("notices");
    if (!list) return;
    const keep = new Set(b.notices.map((n) => `notice-${n.key}`));
    for (const item of [...list.children]) if (!keep.has(item.id)) item.remove();
    for (const notice of b.notices) {
      if ($(`notice-${notice.key}`)) continue;
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
    list.hidden = b.notices.length === 0;
  }

  b.root.addEventListener("click", (event) => {
    const button = event.target.closest?.(".notice-dismiss");
    if (!button) return;
    const left = withoutNotice(b.notices, button.closest(".board-notice")?.id);
    b.notices = left.notices;
    left.gone?.onDismiss?.();
    draw();
    const heading = $("feed-heading");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  });

  function decisionWords(proposal) {
    return { title: proposal.title, outcome: outcomeWords(proposal.decision.outcome) };
  }

  /** "News on an idea you supported…", kept (board_words.js Visits) until dismissed. */
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

  /** Decisions since `before`: told to everyone, noted for supporters. */
  function tellDecisions(before) {
    for (const proposal of decisionsArrived(before, b.state)) {
      announcer.say(t("card_decided_now", decisionWords(proposal)));
      if (supportedIdea(b.state, proposal, me.id)) noteDecision(proposal, true);
    }
  }

  function decisionsSinceLastVisit() {
    const seen = { news: visits.news(), lastVisit: visits.lastVisit };
    const { note, gone } = decisionNotes(b.state, seen, me.id);
    for (const proposal of note) noteDecision(proposal, false);
    for (const id of gone) visits.dropNews(id); // no longer on the board for me
    visits.stillHere(serverNow(b.state));
  }

  function tell(envelope, before) {
    const ops = [...b.ops.values()];
    for (const news of eventNews(envelope, before, b.state, me, ops)) {
      if (news.newPost !== undefined) announcer.newPost(news.newPost);
      else if (news.key) notify(news.key, news.text);
      else announcer.say(news.say);
    }
    if (envelope.type === "proposal.changed") {
      tellDecisions(before);
      visits.stillHere(Date.parse(envelope.at || ""));
    }
  }

  const pacer = new SummaryPacer(SUMMARY);

  function drawSummary() {
    const el = $("moderation-summary");
    const text = summaryText(b.state.moderation);
    if (el && el.textContent !== text) el.textContent = text;
    if (el) el.hidden = !text;
    if (b.state.moderation.unsure) refreshSummary();
  }

  async function refreshSummary(waited = false) {
    const next = pacer.next(Date.now(), waited);
    if (next === null) return;
    if (next !== "ask") {
      setTimeout(() => {
        pacer.woke();
        if (b.state.moderation.unsure) refreshSummary(true);
      }, next);
      return;
    }
    let fresh = null;
    try {
      const response = await fetch(`/api/v1/boards/${b.code}/snapshot`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      fresh = await response.json();
    } catch {
      // offline: asked again on a later change
    }
    pacer.done(Date.now(), Boolean(fresh));
    if (!fresh) return;
    // Counted from its seq on; still unsure only if a newer event came first (asks again).
    b.state = withSummary(b.state, fresh.moderation, fresh.seq);
    b.redraw();
  }

  return { draw, drawSummary, notify, tell, tellDecisions, decisionsSinceLastVisit };
}

/** Starts the connection of `b` as `b.live`; `on`: event, drawn, snapshot, presence, clock. */
export function boardConnection(b, on) {
  const { me, visits } = b;
  const el = document.getElementById("connection");
  let link = LINK_START;
  let slowTimer = null;
  let backTimer = null;
  let shown = null;

  function onStatus(status, error) {
    if (b.revoked && status !== "refused") return; // the withdrawn link's notice stays
    clearTimeout(slowTimer);
    const next = linkAfter(link, status, error);
    link = next.link;
    if (next.slowTimer) {
      slowTimer = setTimeout(() => {
        link = { ...link, slow: true };
        draw();
      }, SLOW_CONNECT_MS);
    }
    if (next.backTimer) {
      clearTimeout(backTimer);
      backTimer = setTimeout(() => {
        link = { ...link, backOnline: false };
        draw();
      }, BACK_ONLINE_MS);
    }
    draw();
  }

  function draw() {
    const banner = connectionBanner({
      ...link,
      waiting: waitingCount(b.ops),
      staff: b.staff,
      boardUrl: b.boardUrl,
    });
    const parts = banner.parts.map((p) =>
      typeof p === "string" ? p : h("a", { href: p.href }, p.text),
    );
    const words = parts.map((p) => (typeof p === "string" ? p : p.outerHTML)).join("");
    const key = `${banner.state}|${banner.tone}|${words}`;
    if (key === shown) return; // unchanged: do not make screen readers repeat it
    shown = key;
    el.dataset.state = banner.state;
    el.className = banner.tone ? `connection connection-${banner.tone}` : "connection";
    el.replaceChildren(...parts);
    // Room below the pinned notice, so it never covers the end of the page.
    document.documentElement.classList.toggle("has-connection-notice", parts.length > 0);
  }

  const connection = new BoardConnection({
    board: b.code,
    seq: b.state.seq,
    onEvent(envelope) {
      const before = b.state;
      b.state = applyEvent(b.state, envelope);
      const post = ["post.created", "post.approved"].includes(envelope.type)
        ? envelope.data.post
        : null;
      if (post) visits.saw(post.id);
      for (const shown of envelope.type === "posts.revealed" ? envelope.data.posts || [] : []) {
        visits.saw(shown.id);
      }
      if (b.state.me) {
        me.name = b.state.me.name;
        me.anonymous = Boolean(b.state.me.anonymous);
      }
      on.event(envelope, before);
      if ((b.state.me?.revoked || b.state.me?.removed) && !b.revoked) linkWithdrawn();
      b.redraw();
      on.drawn(envelope);
    },
    onSnapshot(fresh) {
      const before = b.state;
      b.state = fromSnapshot(fresh);
      for (const post of b.state.posts.values()) visits.saw(post.id);
      on.snapshot(before);
      visits.stillHere(serverNow(b.state));
      b.redraw();
    },
    onPresence(count, joined) {
      b.hereNow = count;
      // Joining is not a board event: the number who joined comes with presence.
      if (typeof joined === "number") b.state = { ...b.state, participants: joined };
      on.presence();
    },
    onClock(iso) {
      b.state = withServerTime(b.state, iso);
      on.clock();
    },
    onStatus,
  }).start();
  b.live = connection;

  /** My link was withdrawn or I was removed: stop, and say so. */
  function linkWithdrawn() {
    b.revoked = true;
    me.role = "participant";
    b.open.hiding.clear();
    connection.close();
    onStatus("refused", { code: b.state.me?.removed ? "removed" : "access_revoked" });
  }

  // The browser knows about a lost network long before a ping times out.
  window.addEventListener("offline", () => connection.pause());
  window.addEventListener("online", () => connection.resume());

  let hiddenSince = null;
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) {
      hiddenSince = Date.now();
    } else if (
      !b.revoked &&
      hiddenSince !== null &&
      Date.now() - hiddenSince > RESYNC_AFTER_HIDDEN_MS
    ) {
      connection.resync(); // a phone back from the lock screen: check what it missed
    }
  });

  return { draw };
}
