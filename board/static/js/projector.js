// The projector view: keeps the server-rendered feed live for the room. Read-only: no
// forms, no writes. The newest posts fill a fixed grid, pinned ones first; older ones drop
// off the end. A post that arrives while the page is open is marked `is-new` for a few
// seconds. Above the feed: the phase, and the timer, counting down on the server's clock.
// The spotlighted post takes the feed's place, large; in the closed phase the ranked
// results do, and "Show results" shows them from any state, over a spotlight too (a new
// spotlight, its end, or a new phase goes back to following the session). The results
// are a chart, the top ten with their dots and supports as bars, and a table behind it
// for screen readers. The page holds the snapshot's first screen: when fewer posts than
// the grid holds are left (deletions, hides), older ones are read from the server
// (board.posts), and so is a spotlit post it does not hold.
//
// Opened by the view-only projector link (data-token), the page is nobody: its live
// connection and its reads send that token, not the cookie.
//
// The page and its live connection use the public view: the room sees what residents
// see, never posts waiting for approval, held back for the reveal, or hidden (only the
// public summary of how many are hidden and why), and dot counts only once revealed.

import { t, tn } from "./i18n.js";
import { BoardConnection } from "./live.js";
import { summaryText } from "./moderation.js";
import { clockText, phaseLabel, readJson, setText, throttle } from "./room.js";
import {
  applyEvent,
  fromSnapshot,
  isOpen,
  postsNewestFirst,
  spotlightPost,
  timerLeft,
  withPage,
  withServerTime,
} from "./state.js";

const NEW_FOR_MS = 8000;
const BACK_ONLINE_MS = 3000;
const QUIET_MS = 8000; // screen readers: at most one new-post announcement per spell
const DEFAULT_MAX = 12;
const TICK_MS = 250;
const RESULTS_SHOWN = 10;
const SVG = "http://www.w3.org/2000/svg";
const RESULTS_REFETCH_MS = 1000;
const ENDING_SECONDS = 10;

// --- cards: the same markup as projector_card in templates/projector.html ---------------

function h(tag, className, ...children) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child); // strings become text nodes: user text never goes in as HTML
  }
  return el;
}

function kindLine(post) {
  return h(
    "p",
    "post-kind",
    post.pinned ? h("span", "pinned-badge", t("pinned")) : null,
    post.pinned ? " " : null,
    h("span", "post-kind-label", t(`kind_${post.kind}`)),
    post.tag ? " " : null,
    post.tag ? h("span", "post-tag", post.tag) : null,
  );
}

function authorName(post) {
  return post.on_behalf_of || (post.author && post.author.name) || t("anonymous");
}

/** Dots show on ideas and needs once revealed: from 0 while prioritising and after. */
function shownDots(post, session) {
  if (post.kind !== "idea" && post.kind !== "need") return null;
  if (session.dots_hidden || post.dot_count == null) return null;
  if (!post.dot_count && session.phase !== "prioritise" && session.phase !== "closed") return null;
  return post.dot_count;
}

function counts(post, session) {
  const dots = shownDots(post, session);
  return h(
    "span",
    "post-counts",
    dots === null
      ? null
      : h(
          "span",
          "post-dots",
          h("span", "dot-count", String(dots)),
          " ",
          h("span", "dot-label", tn("dots_word", dots)),
        ),
    dots === null ? null : " ",
    h(
      "span",
      "post-support",
      h("span", "support-count", String(post.support_count)),
      " ",
      h("span", "support-label", tn("supporters", post.support_count)),
    ),
  );
}

function footer(post, session) {
  const author = h("span", "post-author", authorName(post));
  return h("p", "post-footer", author, " ", counts(post, session));
}

function projectorCard(post, session) {
  const card = h("article", `post post-${post.kind}${post.pinned ? " is-pinned" : ""}`);
  card.id = `post-${post.id}`;
  card.dataset.postId = String(post.id);
  card.setAttribute("aria-labelledby", `post-${post.id}-title`);
  const title = h("h3", "post-title", post.title);
  title.id = `post-${post.id}-title`;
  card.append(
    kindLine(post),
    title,
    ...(post.body ? [h("p", "post-body", post.body)] : []),
    footer(post, session),
  );
  return card;
}

function updateCard(card, post, session) {
  const isNew = card.classList.contains("is-new");
  const pinned = post.pinned ? " is-pinned" : "";
  card.className = `post post-${post.kind}${pinned}${isNew ? " is-new" : ""}`;
  const badge = card.querySelector(".new-badge");
  const kind = kindLine(post);
  if (badge) kind.prepend(badge, " ");
  card.querySelector(".post-kind").replaceWith(kind);
  const title = card.querySelector(".post-title");
  setText(title, post.title);
  let body = card.querySelector(".post-body");
  if (post.body) {
    if (!body) {
      body = h("p", "post-body");
      title.after(body);
    }
    setText(body, post.body);
  } else if (body) {
    body.remove();
  }
  card.querySelector(".post-footer").replaceWith(footer(post, session));
}

// --- fitting: each card shows whole lines only, never a half-cut one ----------------------

const BODY_STEPS = ["3", "2", "1", "0"];
const TITLE_STEPS = ["4", "3", "2"];

/** Is anything cut off: the card's content, or the detail squeezed below its lines? */
function overflows(card) {
  if (card.scrollHeight > card.clientHeight + 1) return true;
  const body = card.querySelector(".post-body");
  if (!body || card.dataset.bodyLines === "0") return false;
  const lineHeight = parseFloat(getComputedStyle(body).lineHeight) || 0;
  const lines = Number(card.dataset.bodyLines || BODY_STEPS[0]);
  const wanted = Math.min(body.scrollHeight, lines * lineHeight);
  return body.clientHeight + 1 < wanted;
}

/** Shorten each card that overflows its grid cell: the detail first, then the title. */
function fitCards(cards) {
  for (const card of cards) {
    delete card.dataset.bodyLines;
    delete card.dataset.titleLines;
  }
  for (const card of cards) {
    if (!overflows(card)) continue;
    if (card.querySelector(".post-body")) {
      for (const lines of BODY_STEPS.slice(1)) {
        card.dataset.bodyLines = lines;
        if (!overflows(card)) break;
      }
    }
    if (!overflows(card)) continue;
    for (const lines of TITLE_STEPS.slice(1)) {
      card.dataset.titleLines = lines;
      if (!overflows(card)) break;
    }
  }
}

// --- polite announcements for a screen reader on the facilitator's laptop ----------------

function makeAnnouncer(region) {
  let lastNews = -Infinity;
  let waiting = 0;
  let timer = null;
  function say(message) {
    if (!region) return;
    region.textContent = "";
    setTimeout(() => {
      region.textContent = message;
    }, 50);
  }
  return function newPost(title) {
    const now = Date.now();
    if (now - lastNews >= QUIET_MS && !timer) {
      lastNews = now;
      say(t("new_post", { title }));
      return;
    }
    waiting += 1;
    if (timer) return;
    timer = setTimeout(
      () => {
        const count = waiting;
        timer = null;
        waiting = 0;
        lastNews = Date.now();
        if (count > 0) say(count === 1 ? t("new_post", { title }) : t("more_new_posts", { count }));
      },
      Math.max(0, QUIET_MS - (now - lastNews)),
    );
  };
}

// --- the page ---------------------------------------------------------------------------

const root = document.getElementById("projector");
if (root) start(root);

function start(root) {
  const code = root.dataset.board;
  const feed = document.getElementById("feed");
  const feedSection = document.getElementById("feed-section");
  const emptyEl = document.getElementById("feed-empty");
  const presenceEl = document.getElementById("presence");
  const joinedEl = document.getElementById("joined");
  const connectionEl = document.getElementById("connection");
  const summaryEl = document.getElementById("moderation-summary");
  const phaseEl = document.getElementById("phase");
  const noteEl = document.getElementById("session-note");
  const timerEl = document.getElementById("timer");
  const spotlightEl = document.getElementById("spotlight");
  const resultsEl = document.getElementById("results-view");
  const resultsToggle = document.getElementById("results-toggle");
  const announce = makeAnnouncer(document.getElementById("announcer"));
  const max = Number(feed.dataset.max) || DEFAULT_MAX;

  const token = root.dataset.token || null; // the view-only projector link's

  let state = fromSnapshot(readJson("board-snapshot", { posts: [] }));
  // null: follow the session (a spotlight, else results once closed); true or false: the
  // facilitator's choice with "Show results", which wins over a spotlight.
  let resultsWanted = null;

  /** Draw `next`; `quiet`: posts read from the server, not new to the room. */
  function show(next, quiet = false) {
    const prev = state;
    state = next;
    const moved = ["phase", "spotlight_post_id"].some((k) => prev.session[k] !== next.session[k]);
    if (moved) resultsWanted = null; // the facilitator moved the session on: follow it
    drawSession(next.session);
    drawFeed(prev, next, quiet);
    drawMode();
    setText(joinedEl, t("joined", { count: next.participants }));
    const summary = summaryText(next.moderation);
    setText(summaryEl, summary);
    if (summaryEl) summaryEl.hidden = !summary;
  }

  function drawSession(session) {
    root.dataset.phase = session.phase;
    phaseEl.dataset.phase = session.phase;
    setText(document.getElementById("phase-name"), phaseLabel(session.phase));
    const notes = [];
    if (session.phase === "closed") notes.push(t("note_closed"));
    else if (session.locked) notes.push(t("note_locked"));
    if (session.phase === "prioritise") notes.push(tn("note_prioritise", session.dot_budget));
    if (session.silent) notes.push(t("note_silent"));
    if (session.premoderation && session.phase !== "closed") notes.push(t("note_premoderation"));
    if (session.dots_hidden && ["prioritise", "closed"].includes(session.phase)) {
      notes.push(t("note_dots_hidden"));
    }
    setText(noteEl, notes.join(" · "));
    noteEl.hidden = notes.length === 0;
  }

  function drawTimer() {
    const left = timerLeft(state);
    timerEl.hidden = left === null;
    if (left === null) {
      timerEl.dataset.running = "false";
      timerEl.dataset.remaining = "";
      return;
    }
    setText(timerEl, left > 0 ? clockText(left) : t("time_up"));
    timerEl.dataset.running = String(left > 0);
    timerEl.dataset.remaining = String(left);
    timerEl.classList.toggle("is-ending", left > 0 && left <= ENDING_SECONDS);
    timerEl.classList.toggle("is-done", left === 0);
  }
  setInterval(drawTimer, TICK_MS);

  let sessionKey = "";
  function drawFeed(prev, next, quiet) {
    const shown = postsNewestFirst(next).filter(isOpen).slice(0, max);
    const keep = new Set(shown.map((post) => post.id));
    // Dot counts depend on the session too: redraw every card when it changes.
    const key = `${next.session.dots_hidden}|${next.session.phase}`;
    const sessionChanged = key !== sessionKey;
    sessionKey = key;
    for (const card of [...feed.querySelectorAll("article.post")]) {
      if (!keep.has(Number(card.dataset.postId))) card.remove();
    }
    let cursor = feed.firstElementChild;
    for (const post of shown) {
      let card = feed.querySelector(`#post-${post.id}`);
      if (!card) {
        card = projectorCard(post, next.session);
        // New to this screen (not an older post moving up after a delete): highlight it.
        if (!quiet && (!prev.posts.has(post.id) || !isOpen(prev.posts.get(post.id)))) {
          markNew(card);
        }
      } else if (sessionChanged || prev.posts.get(post.id) !== post) {
        updateCard(card, post, next.session);
      }
      if (card === cursor) cursor = cursor.nextElementSibling;
      else feed.insertBefore(card, cursor);
    }
    emptyEl.hidden = shown.length > 0;
    feed.hidden = shown.length === 0;
    refit();
  }

  // --- what fills the screen: the spotlight, the results or the feed ---------------------

  function drawMode() {
    const spotlit = spotlightPost(state);
    const onShow = spotlit && isOpen(spotlit) ? spotlit : null;
    const results = resultsWanted ?? (!onShow && state.session.phase === "closed");
    const spotlight = results ? null : onShow;
    spotlightEl.hidden = !spotlight;
    resultsEl.hidden = !results;
    feedSection.hidden = Boolean(spotlight || results);
    root.dataset.showing = spotlight ? "spotlight" : results ? "results" : "feed";
    resultsToggle.setAttribute("aria-pressed", String(Boolean(results)));
    if (spotlight) drawSpotlight(spotlight);
    if (results) refetchResults();
  }

  function drawSpotlight(post) {
    const card = document.getElementById("spotlight-card");
    card.dataset.postId = String(post.id);
    card.className = `post spotlight-card post-${post.kind}`;
    card.querySelector(".post-kind").replaceWith(kindLine(post));
    setText(card.querySelector(".post-title"), post.title);
    const body = card.querySelector(".post-body");
    setText(body, post.body || "");
    body.hidden = !post.body;
    card.querySelector(".post-footer").replaceWith(footer(post, state.session));
  }

  resultsToggle.addEventListener("click", () => {
    resultsWanted = resultsToggle.getAttribute("aria-pressed") !== "true";
    drawMode();
  });

  async function loadResults() {
    if (resultsEl.hidden) return;
    try {
      const response = await fetch(`/api/v1/boards/${encodeURIComponent(code)}/results`, {
        credentials: "same-origin",
        headers: connection.headers(),
      });
      if (!response.ok) throw new Error(String(response.status));
      drawResults(await response.json());
    } catch {
      setText(document.getElementById("results-note"), t("load_failed"));
    }
  }
  const refetchResults = throttle(loadResults, RESULTS_REFETCH_MS);

  function drawResults(results) {
    const hidden = results.dots_hidden;
    setText(
      document.getElementById("results-note"),
      hidden ? t("ranked_by_supports") : t("ranked_by_dots"),
    );
    const ranked = (results.ranked || []).slice(0, RESULTS_SHOWN);
    // Each measure has its own scale: the most dots fill the dots' bar, the most supports
    // the supports'.
    const most = {
      dots: Math.max(1, ...ranked.map((item) => item.dot_count ?? 0)),
      supports: Math.max(1, ...ranked.map((item) => item.support_count)),
    };
    document.getElementById("projector-results").replaceChildren(
      ...ranked.map((item) => resultRow(item, hidden, most)),
    );
    const table = document.getElementById("results-table");
    table.dataset.dotsHidden = String(Boolean(hidden));
    document.getElementById("results-rows").replaceChildren(
      ...ranked.map((item) => tableRow(item, hidden)),
    );
    document.getElementById("results-key-dots").hidden = Boolean(hidden);
    resultsEl.dataset.count = String(ranked.length);
    document.getElementById("results-empty").hidden = ranked.length > 0;
    table.hidden = ranked.length === 0;
  }

  /** One ranked idea or need in the chart: its rank, title and a bar for each count. */
  function resultRow(item, hidden, most) {
    const dots = item.dot_count ?? 0;
    const li = h(
      "li",
      `result post-${item.kind}`,
      h("span", "result-rank", String(item.rank)),
      h(
        "span",
        "result-main",
        h("span", "result-kind", t(`kind_${item.kind}`)),
        h("span", "result-title", item.title),
      ),
      h(
        "span",
        "result-bars",
        hidden ? null : bar("result-dots", "dot-count", dots, most.dots, tn("dots_word", dots)),
        bar(
          "result-supports",
          "support-count",
          item.support_count,
          most.supports,
          tn("supporters", item.support_count),
        ),
      ),
    );
    li.dataset.postId = String(item.id);
    li.dataset.rank = String(item.rank);
    return li;
  }

  /** A bar `value / most` long, drawn in SVG, with the figure in words beside it. */
  function bar(className, countClass, value, most, words) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "bar");
    svg.setAttribute("viewBox", "0 0 100 10");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const track = document.createElementNS(SVG, "rect");
    track.setAttribute("class", "bar-track");
    track.setAttribute("width", "100");
    track.setAttribute("height", "10");
    const fill = document.createElementNS(SVG, "rect");
    fill.setAttribute("class", "bar-fill");
    fill.setAttribute("width", String(Math.round((value / most) * 1000) / 10));
    fill.setAttribute("height", "10");
    svg.append(track, fill);
    const figure = h("span", "bar-figure", h("span", countClass, String(value)), " ", words);
    const row = h("span", `result-bar ${className}`, svg, figure);
    row.dataset.value = String(value);
    return row;
  }

  /** The same item as a row of the table behind the chart. */
  function tableRow(item, hidden) {
    const title = h("th", "", item.title);
    title.scope = "row";
    return h(
      "tr",
      "",
      h("td", "", String(item.rank)),
      title,
      hidden ? null : h("td", "", String(item.dot_count ?? 0)),
      h("td", "", String(item.support_count)),
    );
  }

  let fitPending = false;
  function refit() {
    if (fitPending) return;
    fitPending = true;
    requestAnimationFrame(() => {
      fitPending = false;
      fitCards([...feed.querySelectorAll("article.post")]);
    });
  }
  refit();
  window.addEventListener("resize", refit);
  if (document.fonts) document.fonts.ready.then(refit);

  function markNew(card) {
    card.classList.add("is-new");
    card.querySelector(".post-kind").prepend(h("span", "new-badge", t("new_badge")), " ");
    setTimeout(() => {
      card.classList.remove("is-new");
      const badge = card.querySelector(".new-badge");
      if (badge) {
        if (badge.nextSibling && badge.nextSibling.nodeType === Node.TEXT_NODE) {
          badge.nextSibling.remove();
        }
        badge.remove();
      }
    }, NEW_FOR_MS);
  }

  let statusTimer = null;
  let wasOffline = false;

  function setConnection(message) {
    clearTimeout(statusTimer);
    statusTimer = null;
    setText(connectionEl, message);
  }

  function onStatus(status) {
    // Same contract as the phone page: the state is readable, e.g. by the browser tests.
    connectionEl.dataset.state = status === "refused" ? "offline" : status;
    if (status === "offline") {
      wasOffline = true;
      setConnection(t("connection_lost"));
    } else if (status === "online") {
      if (wasOffline) {
        wasOffline = false;
        setConnection(t("back_online"));
        statusTimer = setTimeout(() => setConnection(""), BACK_ONLINE_MS);
      } else {
        setConnection("");
      }
    } else if (status === "refused") {
      setConnection(t("live_unavailable"));
    }
  }

  // The cursor for the posts older than those held newest first (null: none left).
  let older = null;
  let filling = false;
  let sought = null; // the spotlit post last looked for

  function merge(page) {
    const merged = withPage(state, page);
    if (!merged.stale) show(merged.state, true);
    return !merged.stale;
  }

  /** Fewer open posts than the grid holds, and more on the board: read the next ones. */
  async function fill() {
    if (filling || older === null) return;
    if (postsNewestFirst(state).filter(isOpen).length >= max) return;
    filling = true;
    const found = await connection.page({ sort: "newest", after: older }, merge);
    filling = false;
    if (!found) return;
    older = found.next;
    fill();
  }

  /** After a snapshot: page on from its first screen. */
  function restart() {
    older = state.window.complete ? null : state.window.older;
    fill();
  }

  const connection = new BoardConnection({
    board: code,
    seq: state.seq,
    view: "public",
    token,
    onClock(iso) {
      state = withServerTime(state, iso);
    },
    onEvent(envelope) {
      const before = state;
      show(applyEvent(state, envelope));
      const post = envelope.data && envelope.data.post;
      const arrived = envelope.type === "post.created" || envelope.type === "post.approved";
      if (arrived && post && isOpen(post) && !before.posts.has(post.id)) {
        announce(post.title);
      }
      if (!resultsEl.hidden) refetchResults();
      const spotlit = state.session.spotlight_post_id;
      if (spotlit != null && spotlit !== sought && !state.posts.has(spotlit)) {
        sought = spotlit; // looked for once
        connection.seek(() => state.posts.has(spotlit), merge);
      }
      fill();
    },
    onSnapshot(snapshot) {
      show(fromSnapshot(snapshot));
      restart();
    },
    onPresence(count, joined) {
      setText(presenceEl, t("here_now", { count }));
      presenceEl.hidden = false;
      if (joined != null) {
        state = { ...state, participants: joined };
        setText(joinedEl, t("joined", { count: joined }));
      }
    },
    onStatus,
  }).start();

  show(state);
  restart();
  drawTimer();

  // A laptop waking from sleep: check for anything missed rather than wait for `head`.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) connection.resync();
  });
}
