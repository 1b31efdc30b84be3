// Fairness: who is being heard (GET fairness): who has posted and who not yet, how much
// of the board the most active tenth wrote, supports and dots per person, posts entered
// for someone.

import { t } from "./i18n.js";
import { setText } from "./room.js";
import { $ } from "./console_dom.js";
import { barWidth, fairnessView } from "./console_model.js";

/** The fairness panel; returns {draw, load}. */
export function fairnessPanel(ctx) {
  let fairness = null;

  function bar(el, share) {
    if (el) el.style.width = barWidth(share);
  }

  function draw() {
    if (!fairness) return;
    const view = fairnessView(fairness);
    setText($("fair-joined"), view.joined);
    setText($("fair-posted"), view.posted);
    setText($("fair-not-posted"), view.notPosted);
    bar($("fair-posted-bar"), view.postedShare);
    setText($("fair-not-posted-names"), view.waiting);
    setText($("fair-top-percent"), view.topPercent);
    setText($("fair-top-share"), view.topShare);
    bar($("fair-top-bar"), view.topBar);
    setText($("fair-supports"), view.supports);
    setText($("fair-supports-detail"), view.supportsDetail);
    setText($("fair-dots"), view.dots);
    setText($("fair-dots-detail"), view.dotsDetail);
    setText($("fair-assisted"), view.assisted);
    setText($("fair-status"), "");
    $("fairness").dataset.loaded = "true";
  }

  async function load() {
    try {
      fairness = await ctx.getJson("fairness");
      draw();
    } catch {
      setText($("fair-status"), t("load_failed"));
    }
  }

  return { draw, load };
}
