// The facilitator's console, live: run the session (phase, lock, pre-moderation, silent
// brainstorming, dots, reports, slow mode), the timer and the spotlight; the queue of posts
// waiting for approval, reported and hidden posts; every post with pin, spotlight, hide and
// merge; a post entered for someone from a paper card; the people on the board; who is
// being heard (fairness). Every change goes over the socket and comes back as an event,
// like everyone else's, so two facilitators' consoles always agree.
//
// The page is drawn from the facilitator's snapshot (templates/facilitate.html embeds it):
// its first screen of posts; more are read from the server (board.posts) as the lists
// need them (a search, "Show more", a post reported or spotlit that it does not hold).
// This module holds the state and the connection; each part of the console is a module
// console_<part>.js that wires its controls and returns how to draw itself from the
// state. console_model.js works out what they show without the DOM (node's unit tests
// check it); console_layout.js keeps the bar in view and marks the part in view in the
// navigation, whose counts of posts waiting and reported are drawn here.

import { t } from "./i18n.js";
import { BoardConnection } from "./live.js";
import { summaryText } from "./moderation.js";
import { readJson, setText, throttle } from "./room.js";
import { applyEvent, fromSnapshot, withPage, withServerTime } from "./state.js";
import { actor, messenger } from "./console_actions.js";
import { assistForm } from "./console_assist.js";
import { $ } from "./console_dom.js";
import { fairnessPanel } from "./console_fairness.js";
import { hiddenList } from "./console_hidden.js";
import { consoleLayout } from "./console_layout.js";
import { afterEvent, reportedPosts } from "./console_model.js";
import { peopleList } from "./console_people.js";
import { postList } from "./console_posts.js";
import { queueList } from "./console_queue.js";
import { reportedList } from "./console_reports.js";
import { sessionControls } from "./console_session.js";
import { spotlightControls } from "./console_spotlight.js";
import { connectionLine } from "./console_status.js";
import { timerControls } from "./console_timer.js";

const REFETCH_MS = 1000; // fairness and people: at most once a second while events arrive

const root = document.getElementById("console");
if (root) {
  const settle = consoleLayout(root);
  if (document.getElementById("console-snapshot")) start(root, settle);
}

function start(root, settle) {
  const code = root.dataset.board;
  let state = fromSnapshot(readJson("console-snapshot", { posts: [] }));
  let connection = null;

  const say = messenger($("console-message"));
  const ctx = {
    root,
    code,
    reasons: JSON.parse(root.dataset.reasons || "[]"),
    boardUrl: root.dataset.boardUrl || `/b/${code}`,
    csrf: root.dataset.csrf || "",
    get state() {
      return state;
    },
    say,
    act: actor(() => connection, say),
    /** A page of board.posts, merged into the state; resolves it, or null. */
    page(query) {
      return connection.page(query, merge);
    },
    async getJson(path) {
      const response = await fetch(`/api/v1/boards/${encodeURIComponent(code)}/${path}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    },
  };

  const hidden = hiddenList(ctx);
  const posts = postList(ctx);
  const parts = [
    sessionControls(ctx),
    timerControls(ctx),
    spotlightControls(ctx),
    queueList(ctx),
    reportedList(ctx),
    hidden.draw,
    posts.draw,
  ];
  assistForm(ctx);
  const people = peopleList(ctx);
  const fairness = fairnessPanel(ctx);
  parts.push(people.draw);

  let drawPending = false;
  function draw() {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(() => {
      drawPending = false;
      for (const drawPart of parts) drawPart();
      const summary = $("moderation-summary");
      if (summary) setText(summary, summaryText(state.moderation) || t("no_posts_hidden"));
      drawNavCounts();
    });
  }

  /** The navigation's counts: what waits for the facilitator, greyed at 0. */
  function drawNavCounts() {
    setText($("nav-reported-count"), String(reportedPosts(state).length));
    for (const badge of root.querySelectorAll(".console-nav .count-badge")) {
      badge.dataset.count = badge.textContent.trim();
    }
  }

  function show(next) {
    state = next;
    draw();
  }

  /** Take a page of posts in; false: too old to be made exact (read it again). */
  function merge(page) {
    const merged = withPage(state, page);
    if (!merged.stale) show(merged.state);
    return !merged.stale;
  }

  /** A post an event names that the console does not hold (reported, hidden, spotlit). */
  const sought = new Set(); // each looked for once
  function fetchMissing(id) {
    if (id == null || state.posts.has(id) || sought.has(id)) return;
    sought.add(id);
    connection.seek(() => state.posts.has(id), merge);
  }

  const refetchFairness = throttle(fairness.load, REFETCH_MS);
  const refetchPeople = throttle(people.load, REFETCH_MS);
  const line = connectionLine($("connection"));

  connection = new BoardConnection({
    board: code,
    seq: state.seq,
    onClock(iso) {
      state = withServerTime(state, iso);
    },
    onEvent(envelope) {
      const before = state;
      show(applyEvent(state, envelope));
      refetchFairness();
      const meaning = afterEvent(before, state, envelope);
      if (meaning.people) refetchPeople();
      if (meaning.revoked) {
        // My own link was withdrawn: nothing here works any more.
        line.withdrawn();
        connection.close();
        return;
      }
      if (meaning.arrived) say(t("waiting_arrived", { title: meaning.arrived.title }));
      hidden.forget(envelope);
      if (envelope.type === "post.reported" || envelope.type === "post.hidden") {
        fetchMissing(envelope.data.post_id);
      }
      if (envelope.type === "session.changed") fetchMissing(state.session.spotlight_post_id);
    },
    onSnapshot(snapshot) {
      show(fromSnapshot(snapshot));
      posts.restart();
      refetchFairness();
      refetchPeople();
    },
    onPresence(_count, joined) {
      // Someone joined (not a board event): the people list and the fairness figures change.
      if (typeof joined === "number" && joined !== state.participants) {
        show({ ...state, participants: joined });
        refetchPeople();
        refetchFairness();
      }
    },
    onStatus: line.onStatus,
  }).start();

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) connection.resync();
  });

  draw();
  requestAnimationFrame(settle); // after the first drawing, which is on the next frame
  people.load();
  fairness.load();
}
