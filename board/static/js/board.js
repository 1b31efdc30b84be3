// The board page: keeps the server-rendered feed live, filters, sorts and searches it
// (asking the server for the pages of posts it does not hold yet), and sends the page's
// forms over the socket through the outbox (board_words.js). Without
// JavaScript (or if this fails to load) the forms post as usual. One render path: the
// page is drawn from the board state (built only from server events) plus the writes in
// flight, on every change. This builds what the parts share and wires them: the posts
// (board_feed.js: the feed, the cards' forms, the composer and the writes), the posts a
// title being written may repeat (composer_similar.js) and what the server tells
// (board_live.js); board_words.js works out what they show, without the DOM.

import { Announcer } from "./announce.js";
import { boardCards, boardComposer, boardFeed, boardPaging } from "./board_feed.js";
import { boardConnection, boardNotices, boardSession } from "./board_live.js";
import { Outbox, Visits, dropApplied, readView } from "./board_words.js";
import { composerSimilar } from "./composer_similar.js";
import { newOpId } from "./live.js";
import { setCsrfToken } from "./render.js";
import { fromSnapshot } from "./state.js";

const root = document.getElementById("board");
if (root) start(root);

function start(root) {
  const snapshot = JSON.parse(document.getElementById("board-snapshot").textContent);
  const $ = (id) => document.getElementById(id);
  const composer = $("composer");
  const code = root.dataset.board;
  const me = {
    id: Number(root.dataset.me || snapshot.me.id),
    role: root.dataset.role || snapshot.me.role,
    name: snapshot.me.name,
    anonymous: Boolean(snapshot.me.anonymous),
  };
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  setCsrfToken(csrf);
  // Cards' disclosures open with their buttons from now on (board.css).
  root.classList.add("is-enhanced");
  const state = fromSnapshot(snapshot);
  const postsUrl = composer.getAttribute("action");

  // Shared by the parts, which change it and call redraw().
  const b = {
    root,
    composer,
    feed: $("feed"),
    filters: $("feed-filters"),
    announcer: new Announcer($("announcer")),
    code,
    me, // {id, role, name, anonymous}
    staff: snapshot.me.role === "facilitator", // as the page opened
    csrf,
    postsUrl,
    boardUrl: postsUrl.replace(/\/posts$/, ""),
    opSeed: root.dataset.opSeed || newOpId().slice(0, 12),
    lang: root.dataset.lang || document.documentElement.lang || "en",
    reasons: JSON.parse(root.dataset.reasons || "[]"), // to hide a post
    reportReasons: JSON.parse(root.dataset.reportReasons || "[]"),
    state, // state.js
    view: null, // board_words.js readView
    shownCount: 0, // posts the feed shows now
    quiet: new Set(), // ids of posts a page just brought: drawn without the arriving motion
    ops: new Map(), // op_id -> write in flight, until its event is applied
    pending: { creates: [], posts: new Map() }, // board_words.js pendingView
    myOffers: [], // what "I can help" can link
    // Post ids whose card has a form open: editor, "I can help", a name to join with, "Hide";
    // and the card whose view is open (one at a time, #post-ID in the address).
    open: {
      editing: new Set(),
      helping: new Set(),
      naming: new Set(),
      hiding: new Set(),
      viewing: new Set(),
    },
    reported: new Set(), // while the page was open
    notices: [], // {key, text, href?, linkText?, className?, onDismiss?}
    hereNow: null,
    revoked: false, // my facilitator link was withdrawn
    started: false, // after the first drawing, new cards arrive with a little motion
    visits: new Visits(code, me.id, state.posts.values()),
    outbox: new Outbox(code, me.id),
    live: null, // live.js BoardConnection
    redraw,
  };
  b.view = readView(b.filters);

  const session = boardSession(b);
  const notices = boardNotices(b);
  const paging = boardPaging(b);
  const feed = boardFeed(b, paging);
  const writes = boardComposer(b, feed);
  const cards = boardCards(b, feed, writes);
  const similar = composerSimilar(b, writes);
  const connection = boardConnection(b, {
    event(envelope, before) {
      notices.tell(envelope, before);
      paging.track(envelope, before);
    },
    drawn: cards.drawn,
    snapshot(before) {
      notices.tellDecisions(before);
      paging.restart();
    },
    presence: feed.drawPresence,
    clock: session.drawTimer,
  });

  function redraw() {
    dropApplied(b.ops, b.state.seq);
    feed.draw();
    paging.draw();
    notices.drawSummary();
    session.draw();
    writes.draw();
    similar.draw();
    notices.draw();
    connection.draw();
  }

  writes.replay();
  notices.decisionsSinceLastVisit();
  paging.start();
  redraw();
  cards.viewFromAddress(true);
  b.started = true;
}
