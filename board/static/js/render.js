// Post cards: the same markup as templates/_post.html, built with the DOM (user text
// only ever goes in through textContent), and updated in place so a comment being
// typed or a focused button survives a live change.
//
// ctx: {me: {id, role, name}, postsUrl, labels?, isNew?(postId), pending?(postId)}.
// `pending(postId)` is the outbox's overlay for a post (outbox.js pendingView): a
// support not yet acknowledged, comments "Sending…", an edit or a delete in flight.

import { t } from "./i18n.js";
import { newOpId } from "./live.js";
import { supportedBy } from "./state.js";

/** Create an element: h("p", {class: "x"}, "text", child, ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) el.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

function nameOf(participant) {
  return (participant && participant.name) || t("anonymous");
}

/** The words for a kind ("I have an idea"...). */
export function kindLabel(kind, ctx = {}) {
  return ctx.labels?.[kind] || t(`kind_${kind}`);
}

function mayDelete(post, ctx) {
  return post.author.id === ctx.me.id || ctx.me.role === "facilitator";
}

function mayEdit(post, ctx) {
  return post.author.id === ctx.me.id;
}

// The CSRF token for the forms drawn here, from the page's meta tag.
let csrfToken = "";
export function setCsrfToken(token) {
  csrfToken = token || "";
}

/** A form that also works without JavaScript: the hidden fields every board form has. */
function boardForm(action, className, ...children) {
  return h(
    "form",
    { method: "post", action, class: className },
    h("input", { type: "hidden", name: "csrf_token", value: csrfToken }),
    h("input", { type: "hidden", name: "op_id", value: newOpId() }),
    ...children,
  );
}

function kindLine(post, ctx, isNew) {
  return h(
    "p",
    { class: "post-kind" },
    isNew ? h("span", { class: "new-badge" }, t("new_badge")) : null,
    isNew ? " " : null,
    kindLabel(post.kind, ctx),
    post.tag ? " · " : null,
    post.tag ? h("span", { class: "post-tag" }, post.tag) : null,
  );
}

function editLink(post, ctx) {
  return h(
    "a",
    { class: "edit-link button-link", href: `${ctx.postsUrl}/${post.id}/edit` },
    t("edit"),
  );
}

function deleteForm(post, ctx) {
  return boardForm(
    `${ctx.postsUrl}/${post.id}/delete`,
    "delete-form",
    h("button", { type: "submit", class: "delete" }, t("delete")),
  );
}

export function commentItem(comment) {
  return h(
    "li",
    { class: "comment", id: `comment-${comment.id}` },
    h("span", { class: "comment-author" }, `${nameOf(comment.author)}:`),
    ` ${comment.body}`,
  );
}

/** A comment still in the outbox: shown at once, marked "Sending…". */
export function pendingCommentItem(op, me) {
  return h(
    "li",
    { class: "comment is-pending", id: `comment-op-${op.op_id}`, "data-op-id": op.op_id },
    h("span", { class: "comment-author" }, `${nameOf(me)}:`),
    ` ${op.payload.body} `,
    h("span", { class: "comment-status" }, t("sending")),
  );
}

/** How the support button looks: the confirmed state, or the tap still in flight. */
function supportShown(post, ctx) {
  const confirmed = supportedBy(post, ctx.me.id);
  const wanted = ctx.pending?.(post.id)?.supported;
  if (wanted === undefined) return { pressed: confirmed, count: post.support_count };
  const delta = wanted === confirmed ? 0 : wanted ? 1 : -1;
  return { pressed: wanted, count: post.support_count + delta, sending: true };
}

function cardClass(post, ctx) {
  const pending = ctx.pending?.(post.id);
  let name = `post post-${post.kind}`;
  if (ctx.isNew?.(post.id)) name += " is-new-since-visit";
  if (pending?.edit) name += " is-updating";
  if (ctx.isEditing?.(post.id)) name += " is-editing";
  return name;
}

/** A new card for `post`. */
export function postCard(post, ctx) {
  const id = post.id;
  const support = supportShown(post, ctx);
  const card = h(
    "article",
    {
      class: cardClass(post, ctx),
      id: `post-${id}`,
      "data-post-id": String(id),
      "aria-labelledby": `post-${id}-title`,
    },
    kindLine(post, ctx, ctx.isNew?.(id)),
    h("h3", { class: "post-title", id: `post-${id}-title` }, post.title),
    post.body ? h("p", { class: "post-body" }, post.body) : null,
    h("p", { class: "post-author" }, nameOf(post.author)),
    h(
      "div",
      { class: "post-actions" },
      boardForm(
        `${ctx.postsUrl}/${id}/support`,
        "support-form",
        h(
          "button",
          {
            type: "submit",
            class: support.sending ? "support is-sending" : "support",
            "aria-pressed": String(support.pressed),
          },
          `${t("support")} `,
          h("span", { class: "support-count" }, String(support.count)),
        ),
      ),
      mayEdit(post, ctx) ? editLink(post, ctx) : null,
      mayDelete(post, ctx) ? deleteForm(post, ctx) : null,
    ),
    h(
      "div",
      { class: "comments" },
      h("ul", { class: "comment-list" }),
      boardForm(
        `${ctx.postsUrl}/${id}/comments`,
        "comment-form",
        h(
          "label",
          { for: `comment-${id}-body`, class: "visually-hidden" },
          t("comment_on", { title: post.title }),
        ),
        h("input", {
          id: `comment-${id}-body`,
          name: "body",
          maxlength: "1000",
          required: "",
          autocomplete: "off",
          placeholder: t("add_comment"),
        }),
        h("button", { type: "submit" }, t("send")),
      ),
    ),
  );
  drawComments(card, post, ctx);
  drawStatus(card, post, ctx);
  return card;
}

/** The card for a new post still in the outbox: no actions yet, marked "Sending…". */
export function pendingCard(op, ctx) {
  const post = op.payload;
  const key = `op-${op.op_id}`;
  return h(
    "article",
    {
      class: `post post-${post.kind} is-pending`,
      id: key,
      "data-op-id": op.op_id,
      "aria-labelledby": `${key}-title`,
    },
    kindLine(post, ctx, false),
    h("h3", { class: "post-title", id: `${key}-title` }, post.title),
    post.body ? h("p", { class: "post-body" }, post.body) : null,
    h("p", { class: "post-author" }, nameOf(ctx.me)),
    h("p", { class: "post-status" }, t("sending")),
  );
}

function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

/** Confirmed comments in order, then this person's comments still being sent. */
function drawComments(card, post, ctx) {
  const list = card.querySelector(".comment-list");
  const wanted = [
    ...(post.comments || []).map((c) => [`comment-${c.id}`, () => commentItem(c)]),
    ...(ctx.pending?.(post.id)?.comments || []).map((op) => [
      `comment-op-${op.op_id}`,
      () => pendingCommentItem(op, ctx.me),
    ]),
  ];
  const keep = new Set(wanted.map(([key]) => key));
  for (const li of [...list.children]) if (!keep.has(li.id)) li.remove();
  let cursor = list.firstElementChild;
  for (const [key, make] of wanted) {
    if (cursor && cursor.id === key) {
      cursor = cursor.nextElementSibling;
      continue;
    }
    const existing = list.querySelector(`[id="${key}"]`);
    list.insertBefore(existing || make(), cursor);
  }
}

/** "Sending…" / "Deleting…" on a card whose change is in flight. */
function drawStatus(card, post, ctx) {
  const pending = ctx.pending?.(post.id);
  const text = pending?.deleting ? t("deleting") : pending?.edit ? t("sending") : "";
  let status = card.querySelector(":scope > .post-status");
  if (!text) {
    status?.remove();
    return;
  }
  if (!status) {
    status = h("p", { class: "post-status" });
    card.querySelector(".post-author").after(status);
  }
  setText(status, text);
}

/** Bring an existing card up to date with `post`, touching only what changed. */
export function updateCard(card, post, ctx) {
  const id = post.id;
  const className = cardClass(post, ctx);
  if (card.className !== className) card.className = className;
  const kind = kindLine(post, ctx, ctx.isNew?.(id));
  const oldKind = card.querySelector(".post-kind");
  if (!oldKind.isEqualNode(kind)) oldKind.replaceWith(kind);
  const title = card.querySelector(".post-title");
  setText(title, post.title);

  let body = card.querySelector(".post-body");
  if (post.body) {
    if (!body) {
      body = h("p", { class: "post-body" });
      title.after(body);
    }
    setText(body, post.body);
  } else if (body) {
    body.remove();
  }
  setText(card.querySelector(".post-author"), nameOf(post.author));
  drawStatus(card, post, ctx);

  const shown = supportShown(post, ctx);
  const support = card.querySelector("button.support");
  support.setAttribute("aria-pressed", String(shown.pressed));
  support.classList.toggle("is-sending", Boolean(shown.sending));
  setText(support.querySelector(".support-count"), String(shown.count));

  const actions = card.querySelector(".post-actions");
  const edit = actions.querySelector(".edit-link");
  if (mayEdit(post, ctx) && !edit) {
    actions.querySelector(".support-form").after(editLink(post, ctx));
  }
  if (!mayEdit(post, ctx) && edit) edit.remove();
  const del = actions.querySelector(".delete-form");
  if (mayDelete(post, ctx) && !del) actions.append(deleteForm(post, ctx));
  if (!mayDelete(post, ctx) && del) del.remove();

  drawComments(card, post, ctx);
  const label = card.querySelector(`label[for="comment-${id}-body"]`);
  setText(label, t("comment_on", { title: post.title }));
}
