// The board page's posts. The feed, drawn from the state and the writes in flight
// (feedModel), a card morphed only when what it is drawn from changed; filters; who is
// here; new since my last visit. The cards' forms (the edit page is the no-JavaScript
// way to edit) and the composer. Every write goes through the outbox (board_words.js), so one
// made on a dead connection waits on the device and goes out once it is back; a new post
// shows "Sending…" until its event is applied; a refused one gives back what was typed
// and says why where it was made.

import { setTextOf } from "./board_live.js";
import {
  ackText,
  addressFor,
  blockOf,
  composerReason,
  editChanges,
  errorPlace,
  errorText,
  feedCount,
  feedModel,
  isFirstView,
  mutedOf,
  newestIds,
  newPost,
  pageQuery,
  readView,
  sessionBanner,
  shows,
  totalAfter,
  viewKey,
  worthRetrying,
} from "./board_words.js";
import { t, tn } from "./i18n.js";
import { newOpId } from "./live.js";
import { h, kindLabel, pendingCard, postCard, suggestionItems, updateCard } from "./render.js";
import { groupOf, isFacilitator, myDotsOn, shownProposal, withPage } from "./state.js";

const ARRIVING_MS = 1000;
const FIRST_VIEW = { kind: null, tag: null, q: null, sort: "newest" };
const NEAR_END_PX = 800; // the next page is asked for this far before the end of the feed
const TYPING_MS = 400;

/**
 * The pages of the board page `b` (board.js): past the first screen, each view is paged
 * on the server (board.posts) as the feed's end nears or "Show more" is pressed, and
 * merged into the state (withPage). Per view: how far it was read, how many it has.
 */
export function boardPaging(b) {
  const $ = (id) => document.getElementById(id);
  const views = new Map(); // viewKey -> {view, next, total, seq, busy}
  let sought = null; // the spotlit post last looked for
  const button = h("button", { type: "button", class: "secondary", id: "feed-more-button" });
  const more = h("div", { class: "feed-more", id: "feed-more" }, button);
  $("feed-older")?.closest(".feed-more")?.remove(); // pages without the script
  $("feed-empty").after(more);
  let count = $("feed-count");
  if (!count) {
    count = h("p", { class: "feed-count", id: "feed-count" });
    b.feed.before(count);
  }

  /** As far as the snapshot went. */
  function reset() {
    views.clear();
    const { complete, older, total } = b.state.window;
    const next = complete ? null : older;
    views.set(viewKey(FIRST_VIEW), { view: FIRST_VIEW, next, total, seq: b.state.seq });
  }

  function of(view) {
    const key = viewKey(view);
    if (!views.has(key)) views.set(key, { view, next: undefined, total: null, seq: b.state.seq });
    return views.get(key);
  }

  /** Take a page in; false: too old to be made exact. */
  function merge(page) {
    const merged = withPage(b.state, page);
    if (merged.stale) return false;
    b.state = merged.state;
    for (const id of merged.added) b.quiet.add(id);
    return true;
  }

  function nearEnd() {
    return !more.hidden && more.getBoundingClientRect().top < window.innerHeight + NEAR_END_PX;
  }

  /** The view's next page (or its first). */
  async function load(view = b.view, announce = true) {
    const paging = of(view);
    if (paging.busy || paging.next === null) return;
    paging.busy = true;
    b.redraw();
    const found = await b.live.page(pageQuery(view, paging.next ?? null), merge);
    paging.busy = false;
    if (found) Object.assign(paging, { next: found.next, total: found.total, seq: found.seq });
    b.redraw();
    if (viewKey(view) !== viewKey(b.view)) return;
    if (announce) b.announcer.say(found ? feedCount(b.shownCount, paging).text : t("more_failed"));
    if (found) requestAnimationFrame(() => nearEnd() && load(view, false));
  }

  function draw() {
    const paging = of(b.view);
    const shown = feedCount(b.shownCount, paging);
    setTextOf(count, shown.text);
    count.hidden = paging.total === null || !b.shownCount;
    more.hidden = !shown.more;
    button.setAttribute("aria-disabled", String(Boolean(paging.busy)));
    setTextOf(button, t(paging.busy ? "loading_more" : "show_more"));
    if (paging.busy && paging.next === undefined) $("feed-empty").hidden = true;
  }

  /** The view changed: its first page, or how many it shows. */
  function show(announce) {
    const paging = of(b.view);
    if (paging.next === undefined) load(b.view, announce);
    else if (announce) b.announcer.say(feedCount(b.shownCount, paging).text);
  }

  /** A fresh snapshot replaced every post: page again. */
  function restart() {
    reset();
    if (!isFirstView(b.view)) load(b.view, false);
  }

  /** Counts follow the posts events bring or take; a new spotlight is fetched. */
  function track(envelope, before) {
    for (const paging of views.values()) {
      if (paging.total === null || envelope.seq <= paging.seq) continue;
      paging.total = totalAfter(paging.total, before, b.state, envelope, paging.view);
    }
    const spotlit = b.state.session.spotlight_post_id;
    if (spotlit != null && spotlit !== sought && !b.state.posts.has(spotlit)) {
      sought = spotlit; // looked for once
      b.live.seek(() => b.state.posts.has(spotlit), merge).then(b.redraw);
    }
  }

  /** The page the server drew (the address asked for one), else the view's first. */
  function start() {
    reset();
    const embedded = $("board-page");
    const page = embedded ? JSON.parse(embedded.textContent) : null;
    // A page further on (after=) is merged, the view paged from its start.
    const further = new URLSearchParams(window.location.search).has("after");
    if (page && merge(page) && !further) {
      Object.assign(of(b.view), { next: page.next, total: page.total, seq: page.seq });
    }
    if (of(b.view).next === undefined) load(b.view, false);
  }

  button.addEventListener("click", () => load());
  if ("IntersectionObserver" in window) {
    const rootMargin = `0px 0px ${NEAR_END_PX}px 0px`;
    new IntersectionObserver(([entry]) => entry.isIntersecting && load(), { rootMargin }).observe(
      more,
    );
  }

  return { draw, restart, show, start, track };
}

/** The feed of the board page `b` (board.js); `paging`: its boardPaging. */
export function boardFeed(b, paging) {
  const { feed, filters, me, open, visits } = b;
  const $ = (id) => document.getElementById(id);
  const drawn = new WeakMap(); // card -> what it was last drawn from
  let offersKey = "";

  // What render.js draws a card with.
  const ctx = {
    me,
    postsUrl: b.postsUrl,
    page: {
      board_url: b.boardUrl,
      api_url: `/api/v1/boards/${b.code}`,
      csrf: b.csrf,
      op_seed: b.opSeed,
      lang: b.lang,
    },
    isNew: (id) => visits.isNew(id),
    pending: (id) => b.pending.posts.get(id),
    isEditing: (id) => open.editing.has(id),
    isViewing: (id) => open.viewing.has(id),
    groupOf: (post) => groupOf(b.state, post),
    isHelping: (id) => open.helping.has(id),
    isNaming: (id) => open.naming.has(id),
    reasons: b.reasons,
    isHiding: (id) => open.hiding.has(id),
    get myOffers() {
      return b.myOffers;
    },
    reportReasons: b.reportReasons,
    reported: (id) => b.reported.has(id),
    myDots: (id) => myDotsOn(b.state, id),
    get dotsLeft() {
      return sessionBanner(b.state.session, b.state.dotsSpent, b.pending.posts).dotsLeft;
    },
    get session() {
      return b.state.session;
    },
    get blocked() {
      return blockOf(b.state);
    },
    get muted() {
      return mutedOf(b.state);
    },
    get spotlightId() {
      return b.state.session.spotlight_post_id;
    },
    proposalOf: (post) => shownProposal(b.state, post.id),
  };

  function draw() {
    const model = feedModel(b.state, b.ops, b.view, me.id);
    b.pending = model.pending;
    b.myOffers = model.offers;
    offersKey = JSON.stringify([model.offers, me.anonymous]);
    for (const tag of model.tags) knowTag(tag);
    b.shownCount = model.posts.length;
    drawCards(model.creates, model.posts);
    b.quiet.clear();
    feed.dataset.seq = String(b.state.seq);
    const empty = $("feed-empty");
    empty.hidden = feed.childElementCount > 0;
    empty.textContent = b.state.posts.size ? t("feed_no_match") : t("feed_empty");
    drawPresence();
  }

  function drawCards(creates, posts) {
    let focused = document.activeElement;
    // Focus left on a moderation block whose button changed: back on its (new) button.
    if (focused?.classList?.contains("moderation-box") && feed.contains(focused)) {
      focused = null;
    }
    const items = [
      ...creates.map((op) => [`op-${op.op_id}`, () => pendingCard(op, ctx), null]),
      ...posts.map((post) => [`post-${post.id}`, () => postCard(post, ctx), post]),
    ];
    const keep = new Set(items.map(([key]) => key));
    for (const card of [...feed.children]) if (!keep.has(card.id)) dropCard(card);
    let cursor = feed.firstElementChild;
    for (const [key, make, post] of items) {
      let card = document.getElementById(key);
      if (!card) {
        card = make();
        if (post) drawn.set(card, signature(post));
        if (b.started && !b.quiet.has(post?.id)) arriving(card);
      } else if (post) {
        refresh(card, post);
      }
      if (card === cursor) cursor = cursor.nextElementSibling;
      else feed.insertBefore(card, cursor);
    }
    // Moving a card blurs what was focused in it: put the focus back where it was.
    if (focused !== document.activeElement && focused?.isConnected && feed.contains(focused)) {
      focused.focus({ preventScroll: true });
    }
    const box = document.activeElement;
    if (box?.classList?.contains("moderation-box") && feed.contains(box)) {
      box
        .querySelector("button.restore, button.hide, button.approve")
        ?.focus({ preventScroll: true });
    }
  }

  /** A little motion for a card that arrives live; the class goes once it has played. */
  function arriving(card) {
    card.classList.add("is-arriving");
    const done = () => card.classList.remove("is-arriving");
    card.addEventListener("animationend", done, { once: true });
    setTimeout(done, ARRIVING_MS);
  }

  /** What a card is drawn from besides its post. */
  function signature(post) {
    const id = post.id;
    const state = b.state;
    const extra = [visits.isNew(id), open.editing.has(id), ctx.pending(id), open.hiding.has(id)];
    extra.push(me.role, state.session.phase, ctx.blocked, ctx.muted, b.reported.has(id));
    extra.push(myDotsOn(state, id), ctx.spotlightId === id, open.viewing.has(id), ctx.dotsLeft);
    if (post.kind === "idea" || post.kind === "need") {
      const group = groupOf(state, post);
      extra.push(open.helping.has(id), open.naming.has(id), offersKey, group);
    }
    if (post.kind === "idea") extra.push(ctx.proposalOf(post));
    return { post, extra: JSON.stringify(extra) };
  }

  function refresh(card, post) {
    const was = drawn.get(card);
    const now = signature(post);
    if (was && was.post === now.post && was.extra === now.extra) return;
    updateCard(card, post, ctx);
    drawn.set(card, now);
  }

  /** A post with my edit on its way over it. */
  function displayed(id) {
    const post = b.state.posts.get(id);
    const edit = b.pending.posts.get(id)?.edit;
    return edit ? { ...post, ...edit } : post;
  }

  function dropCard(card) {
    const hadFocus = card.contains(document.activeElement);
    const postId = Number(card.dataset.postId);
    open.editing.delete(postId);
    if (open.viewing.delete(postId)) forgetAddress(postId);
    card.remove();
    if (hadFocus) {
      toHeading();
      if (postId && !b.state.posts.has(postId)) {
        const hidden = b.state.hiddenReasons.has(postId);
        b.announcer.say(t(hidden ? "hidden_elsewhere" : "deleted_elsewhere"));
      }
    }
  }

  function toHeading() {
    const heading = $("feed-heading");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  const knownTags = new Set([...filters.elements.tag.options].map((o) => o.value));
  function knowTag(tag) {
    if (knownTags.has(tag)) return;
    knownTags.add(tag);
    filters.elements.tag.append(h("option", { value: tag }, tag));
  }

  function drawPresence() {
    let text = t("joined", { count: b.state.participants });
    if (b.hereNow !== null) text += ` · ${t("here_now", { count: b.hereNow })}`;
    const el = $("presence");
    if (el.textContent !== text) el.textContent = text;
  }

  // "3 new posts since your last visit": counted once, when the page opens.
  const newCount = [...b.state.posts.keys()].filter((id) => visits.isNew(id)).length;
  if (newCount) {
    $("since-visit").textContent = tn("new_since_visit", newCount);
    $("since-visit").hidden = false;
  }

  /** The filter form's view: drawn from what is held, and asked of the server. */
  function applyView(announce = true) {
    clearTimeout(typing);
    const view = readView(filters);
    if (viewKey(view) === viewKey(b.view)) return;
    b.view = view;
    history.replaceState(history.state, "", addressFor(b.view));
    b.redraw();
    paging.show(announce);
  }

  let typing = null;
  filters.addEventListener("change", (event) => {
    if (event.target.matches("select")) applyView();
  });
  filters.addEventListener("input", (event) => {
    if (event.target.name !== "q") return;
    clearTimeout(typing);
    typing = setTimeout(applyView, TYPING_MS);
  });
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    applyView();
  });
  filters.querySelector('button[type="submit"]').hidden = true; // changes apply at once

  return { ctx, draw, drawPresence, refresh, displayed, applyView, toHeading };
}

/** The cards' forms of the board page `b`; `feed`, `writes`: its feed and composer. */
export function boardCards(b, feed, writes) {
  const { root, me, open } = b;
  const queue = (...args) => writes.queue(...args);

  root.addEventListener("submit", (event) => {
    const form = event.target;
    const postId = Number(form.closest("article.post")?.dataset.postId);
    if (!postId) return; // not one of ours: let the browser post it
    const fields = form.elements;
    const is = (name) => form.classList.contains(name);
    if (is("support-form")) {
      event.preventDefault();
      clearError(form);
      const before = form.querySelector("button.support").getAttribute("aria-pressed") === "true";
      queue("support.toggle", { post_id: postId }, { before });
    } else if (is("comment-form")) {
      event.preventDefault();
      clearError(form);
      if (!fields.body.value.trim()) return;
      queue("comment.create", { post_id: postId, body: fields.body.value });
      fields.body.value = "";
    } else if (is("delete-form")) {
      event.preventDefault();
      if (!window.confirm(t("confirm_delete"))) return;
      if (form.contains(document.activeElement)) feed.toHeading();
      else document.getElementById("feed-heading").setAttribute("tabindex", "-1");
      queue("post.delete", { post_id: postId });
    } else if (is("edit-form")) {
      event.preventDefault();
      saveEdit(form, postId);
    } else if (is("help-form")) {
      event.preventDefault();
      clearError(form);
      const value = fields.offer_id?.value;
      const payload = { post_id: postId };
      if (value) payload.offer_id = Number(value);
      open.helping.delete(postId);
      queue("link.create", payload);
      focusIn(postId, "button.can-help");
    } else if (is("unlink-form")) {
      event.preventDefault();
      const linkId = Number(form.closest("li.helper")?.id.replace("link-", ""));
      if (!linkId) return;
      queue("link.remove", { link_id: linkId }, { target: postId });
    } else if (is("join-form")) {
      event.preventDefault();
      clearError(form);
      if (me.anonymous && !open.naming.has(postId)) {
        // Offer a name first: "Stay anonymous" is just leaving it empty.
        open.naming.add(postId);
        b.redraw();
        focusIn(postId, ".join-name input");
        return;
      }
      const name = fields.display_name?.value.trim();
      open.naming.delete(postId);
      queue("group.join", name ? { post_id: postId, display_name: name } : { post_id: postId });
    } else if (is("leave-form")) {
      event.preventDefault();
      const groupId = b.state.posts.get(postId)?.group?.id;
      if (groupId) queue("group.leave", { group_id: groupId });
    } else if (is("hide-form")) {
      event.preventDefault();
      clearError(form);
      open.hiding.delete(postId);
      queue("post.hide", withNote({ post_id: postId, reason: fields.reason.value }, form));
    } else if (is("restore-form")) {
      event.preventDefault();
      clearError(form);
      queue("post.restore", { post_id: postId });
    } else if (is("dot-form") || is("undot-form")) {
      event.preventDefault();
      clearError(form.closest(".dot-box"));
      queue(is("dot-form") ? "dot.place" : "dot.take_back", { post_id: postId });
    } else if (is("report-form")) {
      event.preventDefault();
      const reason = form.querySelector('input[name="reason"]:checked')?.value;
      if (!reason) return;
      clearError(form.closest(".report-box"));
      queue("post.report", { post_id: postId, reason });
    } else if (is("approve-form")) {
      event.preventDefault();
      queue("post.approve", { post_id: postId });
    } else if (is("reject-form")) {
      event.preventDefault();
      queue("post.reject", withNote({ post_id: postId, reason: fields.reason.value }, form));
    }
  });

  /** A hide or reject with the facilitator's note, when they wrote one. */
  function withNote(payload, form) {
    const note = form.elements.note?.value.trim();
    return note ? { ...payload, note } : payload;
  }

  root.addEventListener("click", (event) => {
    const hit = (selector) => event.target.closest?.(selector);
    const card = event.target.closest?.("article.post");
    const expanded = (button) => button.getAttribute("aria-expanded") !== "true";
    if (hit("a.post-open") && card) {
      event.preventDefault();
      const id = Number(card.dataset.postId);
      if (open.viewing.has(id)) closeView(id);
      else openView(id);
    } else if (hit("a.card-close") && card) {
      event.preventDefault();
      closeView(Number(card.dataset.postId));
    } else if (hit("button.can-help")) {
      const opening = expanded(hit("button.can-help"));
      toggle(open.helping, card, opening, ".help-form select", "button.can-help");
    } else if (hit(".help-cancel")) {
      toggle(open.helping, card, false, "", "button.can-help");
    } else if (hit("button.hide")) {
      toggle(open.hiding, card, expanded(hit("button.hide")), ".hide-form select", "button.hide");
    } else if (hit(".hide-cancel")) {
      toggle(open.hiding, card, false, "", "button.hide");
    } else if (hit(".edit-link")) {
      event.preventDefault();
      openEditor(hit(".edit-link").closest("article.post"));
    } else if (hit(".edit-cancel")) {
      closeEditor(card);
    }
  });

  root.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const card = event.target.closest?.("article.post");
    if (event.target.closest?.(".edit-form")) closeEditor(card);
    else if (event.target.closest?.(".help-form")) {
      toggle(open.helping, card, false, "", "button.can-help");
    } else if (event.target.closest?.(".hide-form")) {
      toggle(open.hiding, card, false, "", "button.hide");
    } else if (event.target.closest?.("details[open]")) {
      const details = event.target.closest("details[open]");
      details.open = false;
      details.querySelector("summary")?.focus();
    } else if (card && open.viewing.has(Number(card.dataset.postId))) {
      closeView(Number(card.dataset.postId));
    }
  });

  /** Open a card's view (one at a time): its address is #post-ID, the focus goes into it. */
  function openView(id, scroll = false) {
    const card = document.getElementById(`post-${id}`);
    if (!card || !b.state.posts.has(id)) return false;
    for (const other of [...open.viewing]) if (other !== id) open.viewing.delete(other);
    open.viewing.add(id);
    history.replaceState(history.state, "", `${location.pathname}${location.search}#post-${id}`);
    b.redraw();
    const view = document.getElementById(`post-${id}-more`);
    if (scroll) card.scrollIntoView({ block: "start" });
    view?.focus({ preventScroll: !scroll });
    return true;
  }

  /** Close a card's view: the address loses its #post-ID, the focus goes back to the card. */
  function closeView(id) {
    open.viewing.delete(id);
    forgetAddress(id);
    b.redraw();
    const opener = document.querySelector(`#post-${id} a.post-open`);
    opener?.focus({ preventScroll: true });
    opener?.scrollIntoView({ block: "nearest" });
  }

  /** A card named by the address (#post-ID, on opening or when a link changes it) opens. */
  function viewFromAddress(scroll) {
    const match = /^#post-(\d+)$/.exec(location.hash);
    if (match && !open.viewing.has(Number(match[1]))) openView(Number(match[1]), scroll);
  }
  window.addEventListener("hashchange", () => viewFromAddress(true));

  /** Open or close a card's "I can help" or "Hide" form; focus in it, or on its button. */
  function toggle(set, card, opening, inside, button) {
    const id = Number(card?.dataset.postId);
    if (!id) return;
    if (opening) set.add(id);
    else set.delete(id);
    b.redraw();
    focusIn(id, opening ? inside : button);
  }

  function focusIn(postId, selector) {
    const target = document.getElementById(`post-${postId}`)?.querySelector(selector);
    if (target && !target.closest("[hidden]")) target.focus();
  }

  // `toggle` does not bubble: listen in the capture phase.
  root.addEventListener(
    "toggle",
    (event) => {
      const details = event.target;
      if (details.matches?.("details.suggestions") && details.open) loadSuggestions(details);
    },
    true,
  );

  async function loadSuggestions(details) {
    const results = details.querySelector(".suggestion-results");
    const status = results?.querySelector(".suggestion-status");
    const list = results?.querySelector(".suggestion-list");
    if (!results || !status || !list) return;
    const asked = String(Number(results.dataset.asked || 0) + 1);
    results.dataset.asked = asked; // only the newest answer is shown
    if (!list.childElementCount) status.textContent = t("suggestions_loading");
    let found = null;
    try {
      const response = await fetch(results.dataset.url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      found = (await response.json()).suggestions || [];
    } catch {
      found = null;
    }
    if (results.dataset.asked !== asked) return;
    list.replaceChildren(...suggestionItems(found || []));
    const text = !found
      ? t("suggestions_failed")
      : found.length
        ? tn("suggestions_found", found.length)
        : t("no_suggestions");
    setTextOf(status, text);
  }

  /** Suggestions on show leave out offers already linked: ask again when that changes. */
  function drawn(envelope) {
    if (envelope.type !== "link.created" && envelope.type !== "link.removed") return;
    const target = envelope.data.link?.target_id ?? envelope.data.target_id;
    const details = document.querySelector(`#post-${target} details.suggestions[open]`);
    if (details) loadSuggestions(details);
  }

  function openEditor(card) {
    const id = Number(card?.dataset.postId);
    const post = b.state.posts.get(id);
    if (!post || open.editing.has(id)) return;
    open.editing.add(id);
    const field = (name) => `edit-${id}-${name}`;
    const tags = [...new Set([...(b.state.board.tags || []), ...(post.tag ? [post.tag] : [])])];
    const form = h(
      "form",
      { class: "edit-form stack", method: "post", action: `${b.postsUrl}/${id}/edit` },
      h(
        "fieldset",
        { class: "kinds" },
        h("legend", {}, t("what_posting")),
        ...["idea", "skill", "tool", "need"].map((kind) =>
          h(
            "label",
            {},
            h("input", { type: "radio", name: "kind", value: kind, checked: kind === post.kind }),
            ` ${kindLabel(kind)}`,
          ),
        ),
      ),
      h("label", { for: field("title") }, t("title")),
      h("input", {
        id: field("title"),
        name: "title",
        maxlength: "120",
        required: "",
        value: post.title,
      }),
      h("label", { for: field("body") }, t("more_detail")),
      h(
        "textarea",
        { id: field("body"), name: "body", maxlength: "2000", rows: "3" },
        post.body || "",
      ),
      h("label", { for: field("availability") }, t("when_optional")),
      h("input", {
        id: field("availability"),
        name: "availability",
        maxlength: "80",
        value: post.availability || "",
      }),
      tags.length ? h("label", { for: field("tag") }, t("theme")) : null,
      tags.length
        ? h(
            "select",
            { id: field("tag"), name: "tag" },
            h("option", { value: "" }, t("no_theme")),
            ...tags.map((tag) => h("option", { value: tag, selected: tag === post.tag }, tag)),
          )
        : null,
      h(
        "div",
        { class: "edit-buttons" },
        h("button", { type: "submit" }, t("save_changes")),
        h("button", { type: "button", class: "edit-cancel secondary" }, t("cancel")),
      ),
    );
    card.querySelector(".card-more").prepend(form);
    feed.refresh(card, feed.displayed(id));
    form.elements.title.focus();
  }

  function closeEditor(card) {
    const id = Number(card?.dataset.postId);
    card.querySelector(".edit-form")?.remove();
    open.editing.delete(id);
    if (b.state.posts.has(id)) feed.refresh(card, feed.displayed(id));
    card.querySelector(".edit-link")?.focus();
  }

  function saveEdit(form, postId) {
    const post = b.state.posts.get(postId);
    const card = form.closest("article.post");
    if (!post) return closeEditor(card);
    const fields = form.elements;
    const changes = editChanges(post, {
      kind: form.querySelector('input[name="kind"]:checked')?.value || post.kind,
      title: fields.title.value,
      body: fields.body.value,
      tag: fields.tag ? fields.tag.value || null : post.tag,
      availability: fields.availability.value.trim() || null,
    });
    closeEditor(card);
    if (Object.keys(changes).length) queue("post.update", { post_id: postId, ...changes });
  }

  return { drawn, viewFromAddress };
}

/** The address without the card `id`'s view in it. */
function forgetAddress(id) {
  if (location.hash !== `#post-${id}`) return;
  history.replaceState(history.state, "", `${location.pathname}${location.search}`);
}

/** The composer and writes of the board page `b` (board.js); `feed`: its boardFeed. */
export function boardComposer(b, feed) {
  const { composer, announcer } = b;
  const $ = (id) => document.getElementById(id);

  /** Send a write; `extra` is kept on it, not sent. */
  function queue(name, payload, extra = {}) {
    const after = newestIds(b.state); // our own posts and comments above these are new
    const op = { op_id: newOpId(), name, payload, after, at: Date.now(), ...extra };
    b.ops.set(op.op_id, op);
    b.outbox.add(op);
    send(op);
    b.redraw();
    return op;
  }

  function send(op) {
    b.live.send(op.name, { ...op.payload, op_id: op.op_id }).then((ack) => settle(op, ack));
  }

  function settle(op, ack) {
    if (ack?.ok) {
      // Done on the server. The card stays "Sending…" until the event with this seq is
      // applied, so the real card replaces it in the same redraw.
      op.result = ack.data || {};
      op.seq = op.result.seq ?? b.state.seq;
      b.outbox.remove(op.op_id);
      if (op.name === "post.report") b.reported.add(op.payload.post_id);
      const said = ackText(op, b.state);
      if (said) announcer.say(said);
      b.redraw();
      return;
    }
    // Signed out (or refused before it went out): keep it on the device; the banner says
    // why. Any other refusal (the board is locked, slow mode...) is final: show it.
    if (worthRetrying(ack?.error)) return;
    b.ops.delete(op.op_id);
    b.outbox.remove(op.op_id);
    b.redraw();
    failed(op, ack.error);
  }

  /** Writes left by an earlier visit (offline, reloaded before the ack): same op ids. */
  function replay() {
    for (const stored of b.outbox.list()) {
      if (!stored?.op_id || !stored.name || b.ops.has(stored.op_id)) continue;
      const op = { ...stored };
      b.ops.set(op.op_id, op);
      send(op);
    }
  }

  function failed(op, error) {
    const place = errorPlace(op, b.state.groups);
    if (place.composer) {
      // Give the words back, so nothing typed is lost.
      const fields = composer.elements;
      if (!fields.title.value) {
        fields.title.value = op.payload.title;
        fields.body.value = op.payload.body || "";
        const kind = composer.querySelector(`input[name="kind"][value="${op.payload.kind}"]`);
        if (kind) kind.checked = true;
        if (fields.tag && op.payload.tag) fields.tag.value = op.payload.tag;
        if (fields.availability) fields.availability.value = op.payload.availability || "";
        showAvailability();
      }
      showError(composer, error);
      const problem = error?.fields?.title;
      if (problem) {
        titleError(problem === "must not be empty" ? t("title_blank") : `${t("title")} ${problem}.`);
        composer.elements.title.focus();
      }
      return;
    }
    const card = document.getElementById(`post-${place.postId}`);
    const box = place.box ? card?.querySelector(place.box) : card;
    let target = place.form ? box?.querySelector(place.form) : null;
    if (!target && (!place.form || place.orBox)) target = place.box ? box : null;
    if (target && op.name === "comment.create" && !target.elements.body.value) {
      target.elements.body.value = op.payload.body;
    }
    if (target) showError(target, error);
    else if (!card || place.box) announcer.say(errorText(error));
  }

  /** Closed, saying why, when the session stops this person posting. */
  function draw() {
    const state = b.state;
    const staff = isFacilitator(state);
    const reason = composerReason(state.session, blockOf(state), staff, mutedOf(state));
    const note = $("composer-closed");
    setTextOf(note, reason || "");
    note.hidden = !reason;
    if (jump) jump.hidden = Boolean(reason);
    if (composer.dataset.closed === String(Boolean(reason))) return;
    composer.dataset.closed = String(Boolean(reason));
    for (const field of composer.elements) {
      if (field.type !== "hidden") field.disabled = Boolean(reason);
    }
  }

  function createPost() {
    const fields = composer.elements;
    const payload = newPost({
      kind: composer.querySelector('input[name="kind"]:checked')?.value,
      title: fields.title.value,
      body: fields.body.value,
      tag: fields.tag?.value,
      availability: fields.availability?.value,
    });
    clearError(composer);
    if (!payload) {
      // Only spaces (an empty title the browser itself refuses): say so by the field.
      titleError(t("title_blank"));
      fields.title.focus();
      return;
    }
    titleError("");
    if (!shows(b.view, payload)) {
      // Otherwise the new post would vanish behind the filter the person forgot about.
      b.filters.elements.kind.value = "";
      b.filters.elements.tag.value = "";
      if (b.filters.elements.q) b.filters.elements.q.value = "";
      feed.applyView(false);
      announcer.say(t("filters_cleared"));
    }
    const op = queue("post.create", payload);
    fields.title.value = "";
    fields.body.value = "";
    if (fields.availability) fields.availability.value = "";
    // Each post picks its own theme: the last one's would mis-tag the next.
    if (fields.tag) fields.tag.value = "";
    // Show where it went (the feed is below the composer on a phone).
    document.getElementById(`op-${op.op_id}`)?.scrollIntoView({ block: "nearest" });
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    createPost();
  });

  /** The title's own error, between its label and the field ("" clears it). */
  function titleError(text) {
    const box = $("post-title-error");
    const field = composer.elements.title;
    if (!box) return;
    setTextOf(box, text);
    box.hidden = !text;
    if (text) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
  }
  composer.elements.title.addEventListener("input", () => {
    if (composer.elements.title.value.trim()) titleError("");
  });

  // "When?" is for offers and needs: hidden while the composer says "idea".
  const availabilityField = $("availability-field");
  function showAvailability() {
    if (!availabilityField) return;
    const kind = composer.querySelector('input[name="kind"]:checked')?.value;
    availabilityField.hidden = kind === "idea";
  }
  composer.addEventListener("change", (event) => {
    if (event.target.name === "kind") showAvailability();
  });
  showAvailability();

  // The way back up to the composer, at the head of the feed: gone while posting is closed.
  const jump = b.root.querySelector(".to-composer");
  b.root.addEventListener("click", (event) => {
    if (!event.target.closest?.(".to-composer")) return;
    event.preventDefault();
    composer.elements.title.focus();
    composer.scrollIntoView({ block: "start" });
  });

  return { draw, queue, replay };
}

/** Where a form's error goes: after the form, or after the row of small action forms. */
function errorAnchor(form) {
  return form.closest(".post-actions, .card-more-actions") || form;
}

function showError(form, error) {
  if (!form) return;
  const anchor = errorAnchor(form);
  let box = anchor.nextElementSibling;
  if (!box || !box.classList.contains("form-error")) {
    box = h("p", { class: "notice notice-error form-error", role: "alert" });
    anchor.after(box);
  }
  box.textContent = errorText(error);
  for (const field of form.querySelectorAll("[aria-invalid]")) {
    field.removeAttribute("aria-invalid");
  }
  for (const name of Object.keys(error?.fields || {})) {
    const field = form.elements?.[name];
    if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
  }
}

function clearError(form) {
  const box = errorAnchor(form).nextElementSibling;
  if (box && box.classList.contains("form-error")) box.remove();
  for (const field of form.querySelectorAll("[aria-invalid]")) {
    field.removeAttribute("aria-invalid");
  }
}
