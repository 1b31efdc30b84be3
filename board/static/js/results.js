// The results page, live: when anything changes on the board, ask the server for this
// page again (at most once a second) and put its #results-live in place of ours. The
// server ranks; this page never ranks by itself, so it cannot disagree with the export.

import { t } from "./i18n.js";
import { BoardConnection } from "./live.js";
import { setText, throttle } from "./room.js";

const REFETCH_MS = 1000;

const root = document.getElementById("results");
if (root) start(root);

function start(root) {
  const code = root.dataset.board;
  const connectionEl = document.getElementById("connection");

  async function refresh() {
    try {
      const response = await fetch(window.location.pathname, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("results-live");
      const current = document.getElementById("results-live");
      if (fresh && current && fresh.innerHTML !== current.innerHTML) {
        current.replaceChildren(...fresh.childNodes);
        root.dataset.refreshed = String(Date.now());
      }
    } catch {
      /* the next change tries again */
    }
  }
  const refreshSoon = throttle(refresh, REFETCH_MS);

  new BoardConnection({
    board: code,
    seq: Number(root.dataset.seq),
    view: "public",
    onEvent: refreshSoon,
    onSnapshot: refreshSoon,
    onStatus(status) {
      connectionEl.dataset.state = status === "refused" ? "offline" : status;
      if (status === "offline") setText(connectionEl, t("connection_lost"));
      else if (status === "refused") setText(connectionEl, t("live_unavailable"));
      else setText(connectionEl, "");
    },
  }).start();
}
