// The connection line: lost, back online (for a few seconds), live unavailable, or my
// own facilitator link withdrawn.

import { t } from "./i18n.js";
import { setText } from "./room.js";

const BACK_ONLINE_MS = 3000;

/** The connection line in `el`; returns {onStatus, withdrawn}. */
export function connectionLine(el) {
  let statusTimer = null;
  let wasOffline = false;

  function show(message, kind) {
    clearTimeout(statusTimer);
    statusTimer = null;
    setText(el, message);
    el.className = `connection${kind ? ` connection-${kind}` : ""}`;
  }

  function onStatus(status) {
    el.dataset.state = status === "refused" ? "offline" : status;
    if (status === "offline") {
      wasOffline = true;
      show(t("connection_lost"), "offline");
    } else if (status === "online") {
      if (wasOffline) {
        wasOffline = false;
        show(t("back_online"), "online");
        statusTimer = setTimeout(() => show("", ""), BACK_ONLINE_MS);
      } else {
        show("", "");
      }
    } else if (status === "refused") {
      show(t("live_unavailable"), "error");
    }
  }

  return { onStatus, withdrawn: () => show(t("link_withdrawn"), "error") };
}
