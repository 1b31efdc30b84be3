// The posts on the board (and those held back for the reveal): pin, spotlight, merge a
// duplicate into another post, hide. The console holds the snapshot's first screen; a
// search and "Show more" read the rest from the server (board.posts), so any post can be
// found to put in the spotlight or merge into.

import { t, tn } from "./i18n.js";
import { h } from "./render.js";
import { setText } from "./room.js";
import { says } from "./state.js";
import { $, disclosure, hideForm, pageLang, syncList } from "./console_dom.js";
import {
  authorLine,
  boardPosts,
  mergeChoices,
  pagesLeft,
  postActions,
  postCounts,
} from "./console_model.js";

const TYPING_MS = 400;

/** Wire the console's list of posts; returns {draw, restart}. */
export function postList(ctx) {
  let mergeTargets = [];
  let words = null; // the search, or null
  const pages = new Map(); // words ("" for none) -> {next, total, busy}
  const search = h("input", { id: "console-q", type: "search", maxlength: "100" });
  const form = h(
    "form",
    { class: "console-search", role: "search" },
    h("label", { for: "console-q" }, t("search_posts")),
    search,
  );
  const shownText = h("p", { class: "hint", id: "console-posts-shown" });
  const more = h("button", { type: "button", class: "secondary", id: "console-more" });
  $("console-posts").before(form);
  $("console-posts").after(shownText, more);

  /** As far as the snapshot went. */
  function restart() {
    pages.clear();
    const { complete, older, total } = ctx.state.window;
    pages.set("", { next: complete ? null : older, total });
  }
  restart();

  function of(key) {
    if (!pages.has(key)) pages.set(key, { next: undefined, total: null });
    return pages.get(key);
  }

  /** The next page of the list as searched (its first, if never read). */
  async function load(announce) {
    const key = words || "";
    const paging = of(key);
    if (paging.busy || paging.next === null) return;
    paging.busy = true;
    draw();
    const found = await ctx.page({ q: words, after: paging.next ?? null });
    paging.busy = false;
    if (found) Object.assign(paging, { next: found.next, total: found.total });
    draw();
    if (announce && key === (words || "")) {
      ctx.say(found ? shownText.textContent : t("more_failed"), !found);
    }
  }

  let typing = null;
  function searched() {
    clearTimeout(typing);
    const wanted = search.value.trim() || null;
    if (wanted === words) return;
    words = wanted;
    draw();
    if (of(words || "").next === undefined) load(true);
  }
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(searched, TYPING_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    searched();
  });
  more.addEventListener("click", () => load(true));

  /** Every other post everyone can see, newest first, as choices; the choice made stays. */
  function fillMergeTargets(form, postId) {
    const select = form.querySelector("select");
    const options = mergeChoices(mergeTargets, postId);
    const signature = options.map((p) => `${p.id}:${p.title}`).join("\n");
    if (select.dataset.options === signature) return;
    const chosen = select.value;
    select.replaceChildren(
      h("option", { value: "" }, t("choose_post")),
      ...options.map((p) => h("option", { value: String(p.id) }, `${p.title} (#${p.id})`)),
    );
    if (options.some((p) => String(p.id) === chosen)) select.value = chosen;
    select.dataset.options = signature;
  }

  function create(post) {
    const id = `cpost-${post.id}`;
    const button = (className, label, extra = {}) =>
      h(
        "button",
        { type: "button", class: className, "aria-describedby": `${id}-title`, ...extra },
        label,
      );
    const pin = button("pin secondary", t("pin"), { "aria-pressed": "false" });
    const spotlight = button("spotlight-toggle secondary", t("spotlight"), {
      "aria-pressed": "false",
    });
    const merge = button("merge secondary", t("merge_into"), {
      "aria-expanded": "false",
      "aria-controls": `merge-${post.id}`,
    });
    const hide = button("hide delete", t("hide"), {
      "aria-expanded": "false",
      "aria-controls": `hide-${post.id}`,
    });
    const mergeForm = h(
      "form",
      { class: "merge-form inline-form", id: `merge-${post.id}`, hidden: "" },
      h("label", { for: `merge-${post.id}-into` }, t("merge_target")),
      h("select", { id: `merge-${post.id}-into`, name: "into_id", required: "" }),
      h("p", { class: "hint" }, t("merge_hint")),
      h(
        "div",
        { class: "form-buttons" },
        h("button", { type: "submit", class: "merge-send" }, t("merge_send")),
        h("button", { type: "button", class: "cancel secondary" }, t("cancel")),
      ),
    );
    const hideFormEl = hideForm(ctx, `hide-${post.id}`, post.id);
    const item = h(
      "li",
      { class: "console-post", id, "data-post-id": String(post.id) },
      h("p", { class: "post-kind" }),
      h("p", { class: "item-title", id: `${id}-title` }),
      h("p", { class: "hint item-meta" }),
      h("p", { class: "item-counts" }),
      h("div", { class: "item-actions" }, pin, spotlight, merge, hide),
      mergeForm,
      hideFormEl,
    );
    // The choice of targets is drawn when the form opens (and kept current while open).
    merge.addEventListener("click", () => fillMergeTargets(mergeForm, post.id));
    disclosure(merge, mergeForm);
    disclosure(hide, hideFormEl);
    pin.addEventListener("click", () => {
      const pinned = !ctx.state.posts.get(post.id)?.pinned;
      ctx.act(pin, "post.pin", { post_id: post.id, pinned }, () =>
        pinned ? t("pinned_done") : t("unpinned_done"),
      );
    });
    spotlight.addEventListener("click", () => {
      if (ctx.state.session.spotlight_post_id === post.id) {
        ctx.act(spotlight, "spotlight.set", {}, () => t("spotlight_ended"));
      } else {
        ctx.act(spotlight, "spotlight.set", { post_id: post.id }, () => t("spotlight_set"));
      }
    });
    mergeForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const into = Number(mergeForm.elements.into_id.value);
      if (!into) return;
      const send = mergeForm.querySelector("button.merge-send");
      ctx.act(send, "post.merge", { post_id: post.id, into_id: into }, () =>
        t("merged_done", { title: ctx.state.posts.get(into)?.title || "" }),
      );
    });
    return item;
  }

  function badges(post) {
    const out = [];
    if (post.pinned) out.push(h("span", { class: "badge badge-pinned" }, t("pinned")));
    if (ctx.state.session.spotlight_post_id === post.id) {
      out.push(h("span", { class: "badge badge-spotlight" }, t("in_spotlight")));
    }
    if (post.state === "silent") out.push(h("span", { class: "badge" }, t("held_back")));
    return out;
  }

  function update(item, post, targets) {
    const kind = item.querySelector(".post-kind");
    const spotlit = ctx.state.session.spotlight_post_id === post.id;
    const signature = [post.pinned, spotlit, post.state, post.kind, post.tag].join("|");
    if (kind.dataset.signature !== signature) {
      kind.dataset.signature = signature;
      const label = [t(`kind_${post.kind}`), post.tag ? ` · ${post.tag}` : ""].join("");
      kind.replaceChildren(...badges(post).flatMap((b) => [b, " "]), label);
    }
    item.dataset.pinned = String(Boolean(post.pinned));
    item.dataset.spotlight = String(spotlit);
    setText(item.querySelector(".item-title"), post.title);
    setText(item.querySelector(".item-meta"), authorLine(post, pageLang()));
    setText(item.querySelector(".item-counts"), postCounts(ctx.state, post));
    const pin = item.querySelector("button.pin");
    const spotlight = item.querySelector("button.spotlight-toggle");
    pin.setAttribute("aria-pressed", String(Boolean(post.pinned)));
    spotlight.setAttribute("aria-pressed", String(spotlit));
    const shown = postActions(post, targets);
    pin.hidden = !shown.pin;
    spotlight.hidden = !shown.spotlight;
    item.querySelector("button.merge").hidden = !shown.merge;
    const mergeForm = item.querySelector(".merge-form");
    if (!mergeForm.hidden) fillMergeTargets(mergeForm, post.id);
  }

  function draw() {
    const { shown: held, targets } = boardPosts(ctx.state);
    mergeTargets = targets;
    const shown = words ? held.filter((post) => says(post, words)) : held;
    syncList(
      $("console-posts"),
      shown,
      (p) => p.id,
      create,
      (item, post) => update(item, post, targets),
      $("posts-heading"),
    );
    const paging = of(words || "");
    const left = pagesLeft(shown.length, paging);
    setText($("posts-count"), String(left.all));
    setText(shownText, tn("feed_count", left.all, { shown: shown.length }));
    shownText.hidden = paging.total === null;
    more.hidden = !left.more;
    more.setAttribute("aria-disabled", String(Boolean(paging.busy)));
    setText(more, t(paging.busy ? "loading_more" : "show_more"));
    $("posts-empty").hidden = shown.length > 0 || Boolean(paging.busy);
  }

  return { draw, restart };
}
