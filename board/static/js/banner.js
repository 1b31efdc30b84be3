// The connection banner of the pages that follow one board live (the group page and the
// proposal page): "Connection lost — reconnecting…", "Back online", or why live updates
// stopped. #connection[data-state] says online/offline/connecting for tests and styles.

import { t } from "./i18n.js";
import { h } from "./render.js";

const BACK_ONLINE_MS = 4000;

/**
 * BoardConnection's `onStatus` for the banner element `el` on board `code`.
 * `onBack`: called when the connection comes back after being lost (refetch what changed).
 */
export function connectionBanner(el, code, { onBack = () => {} } = {}) {
  let lost = false;
  let backTimer = null;

  function banner(tone, ...parts) {
    el.className = tone ? `connection connection-${tone}` : "connection";
    el.replaceChildren(...parts);
    document.documentElement.classList.toggle("has-connection-notice", parts.length > 0);
  }

  return function onStatus(status, error) {
    if (status === "online") {
      el.dataset.state = "online";
      if (lost) {
        lost = false;
        banner("online", t("back_online"));
        clearTimeout(backTimer);
        backTimer = setTimeout(() => banner(""), BACK_ONLINE_MS);
        onBack();
      }
    } else if (status === "offline") {
      el.dataset.state = "offline";
      lost = true;
      banner("offline", t("connection_lost"));
    } else if (status === "refused") {
      el.dataset.state = "offline";
      banner(
        "error",
        ...(error?.code === "not_joined"
          ? [`${t("signed_out")} `, h("a", { href: `/b/${code}/join` }, t("join_again"))]
          : [error?.message || t("live_unavailable")]),
      );
    } else {
      el.dataset.state = status;
    }
  };
}
