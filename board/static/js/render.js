// Post cards: the same markup as templates/_post.html, built with the DOM (user text
// only ever goes in through textContent), and updated in place so a comment being
// typed or a focused button survives a live change.

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
  return (participant && participant.name) || "Anonymous";
}

function mayDelete(post, ctx) {
  return post.author.id === ctx.me.id || ctx.me.role === "facilitator";
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

function kindLine(post, ctx) {
  return h(
    "p",
    { class: "post-kind" },
    ctx.labels[post.kind] || post.kind,
    post.tag ? " · " : null,
    post.tag ? h("span", { class: "post-tag" }, post.tag) : null,
  );
}

function deleteForm(post, ctx) {
  return boardForm(
    `${ctx.postsUrl}/${post.id}/delete`,
    "delete-form",
    h("button", { type: "submit", class: "delete" }, "Delete"),
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

/** A new card for `post`. `ctx`: {me, labels, postsUrl}. */
export function postCard(post, ctx) {
  const id = post.id;
  const supported = supportedBy(post, ctx.me.id);
  return h(
    "article",
    {
      class: `post post-${post.kind}`,
      id: `post-${id}`,
      "data-post-id": String(id),
      "aria-labelledby": `post-${id}-title`,
    },
    kindLine(post, ctx),
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
          { type: "submit", class: "support", "aria-pressed": String(supported) },
          "Support ",
          h("span", { class: "support-count" }, String(post.support_count)),
        ),
      ),
      mayDelete(post, ctx) ? deleteForm(post, ctx) : null,
    ),
    h(
      "div",
      { class: "comments" },
      h("ul", { class: "comment-list" }, ...(post.comments || []).map(commentItem)),
      boardForm(
        `${ctx.postsUrl}/${id}/comments`,
        "comment-form",
        h(
          "label",
          { for: `comment-${id}-body`, class: "visually-hidden" },
          `Comment on “${post.title}”`,
        ),
        h("input", {
          id: `comment-${id}-body`,
          name: "body",
          maxlength: "1000",
          required: "",
          placeholder: "Add a comment",
        }),
        h("button", { type: "submit" }, "Send"),
      ),
    ),
  );
}

function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

/** Bring an existing card up to date with `post`, touching only what changed. */
export function updateCard(card, post, ctx) {
  const id = post.id;
  card.className = `post post-${post.kind}`;
  card.querySelector(".post-kind").replaceWith(kindLine(post, ctx));
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

  const support = card.querySelector("button.support");
  support.setAttribute("aria-pressed", String(supportedBy(post, ctx.me.id)));
  setText(support.querySelector(".support-count"), String(post.support_count));

  const canDelete = mayDelete(post, ctx);
  const del = card.querySelector(".delete-form");
  if (canDelete && !del) card.querySelector(".post-actions").append(deleteForm(post, ctx));
  if (!canDelete && del) del.remove();

  const list = card.querySelector(".comment-list");
  const wanted = new Set((post.comments || []).map((c) => `comment-${c.id}`));
  for (const li of [...list.children]) if (!wanted.has(li.id)) li.remove();
  const have = new Set([...list.children].map((li) => li.id));
  for (const comment of post.comments || []) {
    if (!have.has(`comment-${comment.id}`)) list.append(commentItem(comment));
  }
  setText(card.querySelector(`label[for="comment-${id}-body"]`), `Comment on “${post.title}”`);
}
