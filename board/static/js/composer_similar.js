// Fewer duplicates: while a resident types a title in the composer, the posts already on
// the board that it may repeat are offered, each with a link to it and a Support button
// ("2 similar ideas are on the board: support one instead?"). The server matches the words
// (GET .../posts/similar, the offers matcher's word forms); this asks it a moment after
// typing stops, shows only the newest answer, and says the count in a polite live region.
// Nothing is shown, or said, when nothing is close.

import { t, tn } from "./i18n.js";
import { h } from "./render.js";

/** Wait this long after the last key before asking. */
export const SIMILAR_DELAY_MS = 400;
/** A title shorter than this (trimmed) is not asked about. */
export const SIMILAR_MIN_CHARS = 3;

/** What the region says for `count` similar posts of the kind being written ("" for none). */
export function similarText(kind, count) {
  if (!count) return "";
  const noun = kind === "idea" ? "ideas" : kind === "need" ? "needs" : "offers";
  return tn(`similar_${noun}`, count);
}

/** Whether `meId` supports the post now, and how many do: from the board's copy when
 *  the page holds the post, else from the person's own answered toggle or the answer's
 *  post; then each toggle still in flight flips it. */
export function supportNow(post, { held, answered, ops, meId }) {
  let supported;
  let count;
  if (held) {
    supported = (held.supporter_ids || []).includes(meId);
    count = held.support_count;
  } else if (answered?.has(post.id)) {
    ({ supported, count } = answered.get(post.id));
  } else {
    supported = (post.supporter_ids || []).includes(meId);
    count = post.support_count;
  }
  for (const op of ops?.values?.() || []) {
    if (op.name !== "support.toggle" || op.payload.post_id !== post.id || op.result) continue;
    count += supported ? -1 : 1;
    supported = !supported;
  }
  return { supported, count: Math.max(0, count || 0) };
}

/** The composer's similar posts, wired to the page's board (`b`) and its writes. */
export function composerSimilar(b, writes) {
  const { composer } = b;
  const region = document.getElementById("similar");
  const status = document.getElementById("similar-status");
  const list = document.getElementById("similar-list");
  if (!region || !status || !list) return { draw() {} };
  const title = composer.elements.title;
  let shown = []; // the posts of the newest answer
  let asked = 0; // only the newest answer is shown
  let timer = null;
  const mine = []; // support toggles sent from here, until answered
  const answered = new Map(); // post id -> {supported, count}, for posts the page does not hold

  function kind() {
    return composer.querySelector('input[name="kind"]:checked')?.value || "idea";
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(ask, SIMILAR_DELAY_MS);
  }

  async function ask() {
    const words = title.value.trim();
    const ticket = ++asked;
    if (words.length < SIMILAR_MIN_CHARS || composer.dataset.closed === "true") {
      show([]);
      return;
    }
    const url = new URL(region.dataset.url, location.href);
    url.searchParams.set("title", words);
    url.searchParams.set("kind", kind());
    let found = [];
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      found = (await response.json()).similar || [];
    } catch {
      found = []; // offline or refused: the composer works as ever without it
    }
    if (ticket === asked) show(found);
  }

  function show(found) {
    const before = shown.map((p) => p.id).join();
    shown = found;
    draw();
    const text = similarText(kind(), shown.length);
    // Said once per new answer; the same posts again (another key) are not said again.
    if (shown.map((p) => p.id).join() !== before || !text) {
      status.textContent = text;
    }
  }

  function context(post) {
    return { held: b.state.posts.get(post.id), answered, ops: b.ops, meId: b.me.id };
  }

  function where(post) {
    if (document.getElementById(`post-${post.id}`)) return `#post-${post.id}`;
    // Not among the posts the feed holds: the board's search for its title shows it.
    return `?q=${encodeURIComponent(post.title)}#post-${post.id}`;
  }

  function item(post) {
    return h(
      "li",
      { class: "similar-item", "data-post-id": post.id },
      h("a", { class: "similar-title", href: where(post) }, post.title),
      " ",
      h("span", { class: "similar-count" }),
      h(
        "button",
        {
          type: "button",
          class: "support similar-support",
          "data-post-id": post.id,
          "aria-label": t("similar_support", { title: post.title }),
        },
        t("support"),
      ),
    );
  }

  /** Redrawn with the page: supports change as their events arrive. */
  function draw() {
    for (let i = mine.length - 1; i >= 0; i--) {
      const op = mine[i];
      if (op.result) {
        answered.set(op.payload.post_id, {
          supported: Boolean(op.result.supported),
          count: Number(op.result.count) || 0,
        });
        mine.splice(i, 1);
      } else if (!b.ops.has(op.op_id)) {
        mine.splice(i, 1); // refused: the page said why
      }
    }
    // The same posts keep their elements (and the focus on a Support button).
    const ids = shown.map((p) => String(p.id));
    if ([...list.children].map((li) => li.dataset.postId).join() !== ids.join()) {
      list.replaceChildren(...shown.map(item));
    }
    const closed = composer.dataset.closed === "true";
    shown.forEach((post, i) => {
      const li = list.children[i];
      const now = supportNow(post, context(post));
      li.querySelector(".similar-title").setAttribute("href", where(post));
      li.querySelector(".similar-count").textContent = tn("similar_supporters", now.count);
      const button = li.querySelector("button");
      button.setAttribute("aria-pressed", String(now.supported));
      button.disabled = closed;
    });
    list.hidden = shown.length === 0;
    region.classList.toggle("is-showing", shown.length > 0);
  }

  title.addEventListener("input", later);
  composer.addEventListener("change", (event) => {
    if (event.target.name === "kind") later();
  });
  // The post went: its title is gone, and so are its similar posts.
  composer.addEventListener("submit", () => setTimeout(ask, 0));
  list.addEventListener("click", (event) => {
    const button = event.target.closest?.("button.similar-support");
    if (!button) return;
    const postId = Number(button.dataset.postId);
    const post = shown.find((p) => p.id === postId);
    if (!post) return;
    const before = supportNow(post, context(post)).supported;
    mine.push(writes.queue("support.toggle", { post_id: postId }, { before }));
  });

  return { draw };
}
