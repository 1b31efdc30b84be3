// Hidden posts: the server drew them all (restore works as a plain form without the
// script); kept live here with the same markup, restored over the socket. Those the
// console's state does not hold (it holds the first screen) stay as drawn until restored,
// deleted or merged away.

import { t } from "./i18n.js";
import { newOpId } from "./live.js";
import { reasonLabel } from "./moderation.js";
import { h } from "./render.js";
import { setText } from "./room.js";
import { $, syncList } from "./console_dom.js";
import { hiddenPosts, hiddenWhy } from "./console_model.js";

/** Wire the hidden posts; returns {draw, forget(envelope)}. */
export function hiddenList(ctx) {
  const section = $("hidden");
  // Drawn by the server, not held: {id, drawn: true}, until an event says it went.
  const drawnOnly = new Map();
  for (const el of section?.querySelectorAll(".hidden-post") || []) {
    const id = Number(el.id.replace("hidden-", ""));
    if (!ctx.state.posts.has(id)) drawnOnly.set(id, { id, drawn: true });
  }

  /** A post deleted or merged away leaves the list even if the state never held it. */
  function forget(envelope) {
    const data = envelope.data || {};
    if (envelope.type === "post.deleted") drawnOnly.delete(data.post_id);
    if (envelope.type === "post.merged") drawnOnly.delete(data.from_id);
  }

  function create(post) {
    const id = `hidden-${post.id}`;
    const form = h(
      "form",
      { method: "post", action: `${ctx.boardUrl}/posts/${post.id}/restore`, class: "restore-form" },
      h("input", { type: "hidden", name: "csrf_token", value: ctx.csrf }),
      h("input", { type: "hidden", name: "op_id", value: newOpId() }),
      h("input", { type: "hidden", name: "back", value: "console" }),
      h(
        "button",
        { type: "submit", class: "restore secondary", "aria-describedby": `${id}-title` },
        t("restore"),
      ),
    );
    return h(
      "li",
      { class: "hidden-post", id, "data-post-id": String(post.id) },
      h(
        "p",
        { class: "hidden-post-title", id: `${id}-title` },
        h("a", { href: `${ctx.boardUrl}#post-${post.id}` }),
      ),
      h("p", { class: "hint" }),
      form,
    );
  }

  function update(item, post) {
    if (post.drawn) return; // as the server drew it
    setText(item.querySelector(".hidden-post-title a"), post.title);
    setText(item.querySelector(".hint"), hiddenWhy(ctx.state, post, reasonLabel));
  }

  section?.addEventListener("submit", (event) => {
    const form = event.target.closest("form.restore-form");
    if (!form) return;
    event.preventDefault();
    const postId = Number(form.closest(".hidden-post").id.replace("hidden-", ""));
    ctx.act(form.querySelector("button"), "post.restore", { post_id: postId }, () =>
      t("post_restored"),
    );
  });

  function draw() {
    if (!section) return;
    const list = section.querySelector(".hidden-list");
    // The server drew the first items: adopt them by their id.
    for (const el of list.children) el.dataset.key ||= el.id.replace("hidden-", "");
    for (const id of drawnOnly.keys()) if (ctx.state.posts.has(id)) drawnOnly.delete(id);
    const hidden = [...hiddenPosts(ctx.state), ...drawnOnly.values()].sort((a, b) => b.id - a.id);
    syncList(list, hidden, (p) => p.id, create, update, $("hidden-heading"));
    section.querySelector(".hidden-empty").hidden = hidden.length > 0;
  }

  return { draw, forget };
}
