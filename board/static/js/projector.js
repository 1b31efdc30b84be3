// The projector view: keeps the server-rendered feed live for the room. Read-only: no
// forms, no writes. The newest posts fill a fixed grid; older ones drop off the end.
// A post that arrives while the page is open is marked `is-new` for a few seconds.
//
// The projector is opened by a facilitator, so its state holds hidden posts too: the room
// never sees them, only the public summary of how many are hidden and why.

import { t, tn } from "./i18n.js";
import { BoardConnection } from "./live.js";
import { summaryText } from "./moderation.js";
import { applyEvent, fromSnapshot, postsNewestFirst } from "./state.js";

const NEW_FOR_MS = 8000;
const BACK_ONLINE_MS = 3000;
const QUIET_MS = 8000; // screen readers: at most one new-post announcement per spell
const DEFAULT_MAX = 12;

function readJson(id, fallback) {
  const el = document.getElementById(id);
  if (!el) return fallback;
  try {
    return JSON.parse(el.textContent) || fallback;
  } catch {
    return fallback;
  }
}

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

function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

function kindLine(post) {
  return h(
    "p",
    "post-kind",
    h("span", "post-kind-label", t(`kind_${post.kind}`)),
    post.tag ? " " : null,
    post.tag ? h("span", "post-tag", post.tag) : null,
  );
}

function projectorCard(post) {
  const card = h("article", `post post-${post.kind}`);
  card.id = `post-${post.id}`;
  card.dataset.postId = String(post.id);
  card.setAttribute("aria-labelledby", `post-${post.id}-title`);
  const title = h("h3", "post-title", post.title);
  title.id = `post-${post.id}-title`;
  card.append(
    kindLine(post),
    title,
    ...(post.body ? [h("p", "post-body", post.body)] : []),
    h(
      "p",
      "post-footer",
      h("span", "post-author", (post.author && post.author.name) || t("anonymous")),
      " ",
      h(
        "span",
        "post-support",
        h("span", "support-count", String(post.support_count)),
        " ",
        h("span", "support-label", tn("supporters", post.support_count)),
      ),
    ),
  );
  return card;
}

function updateCard(card, post) {
  const isNew = card.classList.contains("is-new");
  card.className = `post post-${post.kind}${isNew ? " is-new" : ""}`;
  const badge = card.querySelector(".new-badge");
  const kind = kindLine(post);
  if (badge) kind.prepend(badge);
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
  setText(card.querySelector(".post-author"), (post.author && post.author.name) || t("anonymous"));
  setText(card.querySelector(".support-count"), String(post.support_count));
  setText(card.querySelector(".support-label"), tn("supporters", post.support_count));
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
  const feed = document.getElementById("feed");
  const emptyEl = document.getElementById("feed-empty");
  const presenceEl = document.getElementById("presence");
  const joinedEl = document.getElementById("joined");
  const connectionEl = document.getElementById("connection");
  const summaryEl = document.getElementById("moderation-summary");
  const announce = makeAnnouncer(document.getElementById("announcer"));
  const max = Number(feed.dataset.max) || DEFAULT_MAX;

  let state = fromSnapshot(readJson("board-snapshot", { posts: [] }));

  function show(next) {
    const prev = state;
    state = next;
    drawFeed(prev, next);
    setText(joinedEl, t("joined", { count: next.participants }));
    const summary = summaryText(next.moderation);
    setText(summaryEl, summary);
    if (summaryEl) summaryEl.hidden = !summary;
  }

  function drawFeed(prev, next) {
    const shown = postsNewestFirst(next)
      .filter((post) => !post.hidden)
      .slice(0, max);
    const keep = new Set(shown.map((post) => post.id));
    for (const card of [...feed.querySelectorAll("article.post")]) {
      if (!keep.has(Number(card.dataset.postId))) card.remove();
    }
    let cursor = feed.firstElementChild;
    for (const post of shown) {
      let card = feed.querySelector(`#post-${post.id}`);
      if (!card) {
        card = projectorCard(post);
        // New to this screen (not an older post moving up after a delete): highlight it.
        if (!prev.posts.has(post.id)) markNew(card);
      } else if (prev.posts.get(post.id) !== post) {
        updateCard(card, post);
      }
      if (card === cursor) cursor = cursor.nextElementSibling;
      else feed.insertBefore(card, cursor);
    }
    emptyEl.hidden = shown.length > 0;
    feed.hidden = shown.length === 0;
    refit();
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

  const connection = new BoardConnection({
    board: root.dataset.board,
    seq: state.seq,
    onEvent(envelope) {
      show(applyEvent(state, envelope));
      if (envelope.type === "post.created" && envelope.data && envelope.data.post) {
        announce(envelope.data.post.title);
      }
    },
    onSnapshot(snapshot) {
      show(fromSnapshot(snapshot));
    },
    onPresence(count) {
      setText(presenceEl, t("here_now", { count }));
      presenceEl.hidden = false;
    },
    onStatus,
  }).start();

  // A laptop waking from sleep: check for anything missed rather than wait for `head`.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) connection.resync();
  });
}
