// The queue: posts waiting for approval (pre-moderation), approved or rejected with a
// reason the author sees.

import { t } from "./i18n.js";
import { h } from "./render.js";
import { setText } from "./room.js";
import { $, disclosure, pageLang, reasonForm, syncList } from "./console_dom.js";
import { authorLine, waitingPosts } from "./console_model.js";

/** Wire the queue; returns draw(). */
export function queueList(ctx) {
  const titleOf = (post) => ctx.state.posts.get(post.id)?.title || post.title;

  function create(post) {
    const id = `queue-${post.id}`;
    const approve = h(
      "button",
      { type: "button", class: "approve", "aria-describedby": `${id}-title` },
      t("approve"),
    );
    const reject = h(
      "button",
      {
        type: "button",
        class: "reject secondary",
        "aria-expanded": "false",
        "aria-controls": `reject-${post.id}`,
        "aria-describedby": `${id}-title`,
      },
      t("reject"),
    );
    const form = reasonForm(`reject-${post.id}`, "reject-form", ctx.reasons, {
      reason: t("why_reject"),
      note: t("reject_note"),
      send: t("reject_send"),
      sendClass: "reject-send",
    });
    const item = h(
      "li",
      { class: "queue-item", id, "data-post-id": String(post.id) },
      h("p", { class: "post-kind" }),
      h("p", { class: "item-title", id: `${id}-title` }),
      h("p", { class: "item-body" }),
      h("p", { class: "hint item-meta" }),
      h("div", { class: "item-actions" }, approve, reject),
      form,
    );
    disclosure(reject, form);
    approve.addEventListener("click", () =>
      ctx.act(approve, "post.approve", { post_id: post.id }, () =>
        t("queue_approved", { title: titleOf(post) }),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      ctx.act(
        form.querySelector("button.reject-send"),
        "post.reject",
        { post_id: post.id, reason: form.elements.reason.value, note: form.elements.note.value },
        () => t("queue_rejected", { title: titleOf(post) }),
      );
    });
    return item;
  }

  function update(item, post) {
    setText(item.querySelector(".post-kind"), t(`kind_${post.kind}`));
    setText(item.querySelector(".item-title"), post.title);
    const body = item.querySelector(".item-body");
    setText(body, post.body || "");
    body.hidden = !post.body;
    setText(item.querySelector(".item-meta"), authorLine(post, pageLang()));
  }

  return function draw() {
    const waiting = waitingPosts(ctx.state);
    syncList($("queue-list"), waiting, (p) => p.id, create, update, $("queue-heading"));
    setText($("queue-count"), String(waiting.length));
    setText($("nav-queue-count"), String(waiting.length));
    $("queue-empty").hidden = waiting.length > 0;
    setText(
      $("queue-empty"),
      ctx.state.session.premoderation ? t("queue_empty") : t("queue_empty_off"),
    );
  };
}
