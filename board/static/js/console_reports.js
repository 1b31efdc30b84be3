// Reported posts: how many people reported each, most first, with Hide at hand; and the
// hint saying whether reports hide a post by themselves (the report threshold).

import { t, tn } from "./i18n.js";
import { h } from "./render.js";
import { setText } from "./room.js";
import { $, disclosure, hideForm, pageLang, syncList } from "./console_dom.js";
import { authorLine, reportedPosts, reportsOn } from "./console_model.js";

/** Wire the reported posts; returns draw(). */
export function reportedList(ctx) {
  function create(post) {
    const id = `reported-${post.id}`;
    const hide = h(
      "button",
      {
        type: "button",
        class: "hide delete",
        "aria-expanded": "false",
        "aria-controls": `rhide-${post.id}`,
        "aria-describedby": `${id}-title`,
      },
      t("hide"),
    );
    const form = hideForm(ctx, `rhide-${post.id}`, post.id);
    const item = h(
      "li",
      { class: "reported-item", id, "data-post-id": String(post.id) },
      h("p", { class: "item-title", id: `${id}-title` }),
      h("p", { class: "report-count" }),
      h("p", { class: "hint item-meta" }),
      h("div", { class: "item-actions" }, hide),
      form,
    );
    disclosure(hide, form);
    return item;
  }

  function update(item, post) {
    setText(item.querySelector(".item-title"), post.title);
    setText(item.querySelector(".report-count"), tn("reported_by", reportsOn(ctx.state, post)));
    setText(item.querySelector(".item-meta"), authorLine(post, pageLang()));
  }

  return function draw() {
    const reported = reportedPosts(ctx.state);
    syncList($("reported-list"), reported, (p) => p.id, create, update, $("reported-heading"));
    $("reported-empty").hidden = reported.length > 0;
    const threshold = ctx.state.session.report_threshold;
    setText(
      $("reported-hint"),
      threshold ? tn("report_threshold_on", threshold) : t("report_threshold_off"),
    );
  };
}
