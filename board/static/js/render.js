// Post cards. The markup is templates/cards/post.mustache's, the same template the server
// renders the page with (board/web/cards.py), from the card view that card_view.js computes
// exactly as cards.py does. A live change renders the card afresh and morphs the drawn card
// into it (morph, below), so a comment being typed, an open <details> or a focused button
// survive it.
//
// ctx: {me: {id, role, name, anonymous}, page: {board_url, api_url, csrf, op_seed, lang},
// isNew?(postId), pending?(postId), isEditing?(postId), groupOf?(post), myOffers?,
// isHelping?(postId), isNaming?(postId), reasons?, isHiding?(postId), session?, myDots?(postId),
// dotsLeft?, blocked?, muted?, reported?(postId), reportReasons?, spotlightId?, proposalOf?(post),
// isViewing?(postId) (the card's view is open)}.
// `pending(postId)` is the outbox's overlay for a post (board_words.js pendingView): a support
// not yet acknowledged, comments "Sending…", an edit or a delete in flight, help offered or
// withdrawn, a join or a leave, a hide, restore, approval, dot or report on its way.

import Mustache from "../vendor/mustache/mustache.mjs";
import { cardView } from "./card_view.js";
import { t } from "./i18n.js";

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

// The CSRF token for forms drawn with h() (the group page's), from the page's meta tag.
let csrfToken = "";
export function setCsrfToken(token) {
  csrfToken = token || "";
}
export function csrf() {
  return csrfToken;
}

// The card template, as the page carries it (#card-template, a JSON string).
let template = null;
function cardTemplate() {
  if (template === null) {
    try {
      template = JSON.parse(document.getElementById("card-template")?.textContent || '""');
    } catch {
      template = "";
    }
  }
  return template;
}

/** HTML-escape as chevron does (the server's render), so both write the same text. */
export function escapeHtml(value) {
  return String(value)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** The card template rendered for `view`, as HTML. */
export function renderCard(view, text = cardTemplate()) {
  return Mustache.render(text, view, {}, { escape: escapeHtml });
}

/** Who looks at `post`, in card_view.js's terms, from the page's ctx. */
export function viewerOf(post, ctx) {
  return {
    ...(ctx.page || {}),
    me: { id: ctx.me.id, role: ctx.me.role, anonymous: Boolean(ctx.me.anonymous) },
    blocked: ctx.blocked || null,
    muted: Boolean(ctx.muted),
    phase: ctx.session?.phase || "gather",
    my_dots: ctx.myDots?.(post.id) || 0,
    dots_left: ctx.dotsLeft ?? null,
    spotlight_id: ctx.spotlightId ?? null,
    group: ctx.groupOf?.(post) || null,
    my_offers: ctx.myOffers || [],
    proposal: ctx.proposalOf?.(post) || null,
    reasons: ctx.reasons || [],
    report_reasons: ctx.reportReasons || [],
  };
}

/** What only this page knows of `post`: writes in flight, open forms, new since last visit. */
export function uiOf(post, ctx) {
  const id = post.id;
  const pending = ctx.pending?.(id) || {};
  return {
    new: Boolean(ctx.isNew?.(id)),
    editing: Boolean(ctx.isEditing?.(id)),
    viewing: Boolean(ctx.isViewing?.(id)),
    hiding: Boolean(ctx.isHiding?.(id)),
    helping: Boolean(ctx.isHelping?.(id)),
    naming: Boolean(ctx.isNaming?.(id)),
    reported: Boolean(ctx.reported?.(id)),
    pending: {
      ...pending,
      comments: (pending.comments || []).map((op) => ({ op_id: op.op_id, body: op.payload.body })),
    },
  };
}

function strings() {
  try {
    return JSON.parse(document.getElementById("i18n")?.textContent || "{}") || {};
  } catch {
    return {};
  }
}
let catalogue = null;

function fresh(post, ctx) {
  catalogue ??= strings();
  const holder = document.createElement("template");
  holder.innerHTML = renderCard(cardView(post, viewerOf(post, ctx), catalogue, uiOf(post, ctx)));
  return holder.content.firstElementChild;
}

/** A new card for `post`. */
export function postCard(post, ctx) {
  return fresh(post, ctx);
}

const MORPH = {
  // The inline edit form and error notes are the page's own, not the template's.
  keep: (node) => node.nodeType === 1 && node.matches(".edit-form, .form-error"),
  leaveChildren: (el) => el.matches(".suggestion-results"),
};

/** Bring an existing card up to date with `post`, touching only what changed. */
export function updateCard(card, post, ctx) {
  const wanted = fresh(post, ctx);
  if (card.isEqualNode(wanted)) return;
  const focused = card.contains(document.activeElement) ? document.activeElement : null;
  const box = focused?.closest(".moderation-box, .help-box, .group-box, .dot-box, .report-box");
  morph(card, wanted, MORPH);
  if (!focused || focused.isConnected) return;
  // What had the focus is gone: keep it near, on its box (board.js moves it on from there),
  // or on the title.
  const near = box?.isConnected ? box : card.querySelector(".post-title");
  if (!near) return;
  near.setAttribute("tabindex", "-1");
  near.focus({ preventScroll: true });
}

/** The card for a new post still in the outbox: no actions yet, marked "Sending…". */
export function pendingCard(op, ctx) {
  const post = op.payload;
  const key = `op-${op.op_id}`;
  const offer = ["skill", "tool", "need"].includes(post.kind) && post.availability;
  return h(
    "article",
    {
      class: `post post-${post.kind} is-pending`,
      id: key,
      "data-op-id": op.op_id,
      "aria-labelledby": `${key}-title`,
    },
    h(
      "p",
      { class: "post-kind" },
      kindLabel(post.kind, ctx),
      post.tag ? " · " : null,
      post.tag ? h("span", { class: "post-tag", dir: "auto" }, post.tag) : null,
    ),
    h("h3", { class: "post-title", id: `${key}-title`, dir: "auto" }, post.title),
    post.body ? h("p", { class: "post-body", dir: "auto" }, post.body) : null,
    offer
      ? h(
          "p",
          { class: "post-when" },
          h("span", { class: "post-when-label" }, t("when_label")),
          " ",
          h("span", { dir: "auto" }, post.availability),
        )
      : null,
    h("p", { class: "post-meta" }, h("span", { class: "post-author", dir: "auto" }, nameOf(ctx.me))),
    h("p", { class: "post-status" }, t("sending")),
  );
}

const OUTCOMES = ["accepted", "accepted_with_conditions", "declined", "referred"];

/** "accepted with conditions", as it reads inside a sentence. */
export function outcomeWords(outcome) {
  return OUTCOMES.includes(outcome) ? t(`card_outcome_words_${outcome}`) : outcome || "";
}

/** The suggestions list for a post, drawn from the API's answer. */
export function suggestionItems(suggestions) {
  return suggestions.map(({ offer, why }) =>
    h(
      "li",
      { class: "suggestion" },
      h("a", { class: "suggestion-offer", href: `#post-${offer.id}`, dir: "auto" }, offer.title),
      " · ",
      h("span", { class: "suggestion-author", dir: "auto" }, nameOf(offer.author)),
      offer.availability ? " (" : null,
      offer.availability ? h("span", { dir: "auto" }, offer.availability) : null,
      offer.availability ? ")" : null,
      h("span", { class: "suggestion-why" }, t("why", { why })),
    ),
  );
}

// --- morphing a drawn card into a fresh render ------------------------------------------
// Bring a drawn element in line with a freshly rendered one, keeping the nodes that stay,
// so what is typed in a field, the focus and an open <details> survive a live change.
// Children are matched in order by id, else by tag and first class; text by position.
//
// options: keep(node): an old node the render knows nothing of, left where it is (an inline
// edit form, an error note); leaveChildren(el): an element whose children a script fills
// (suggestions), whose attributes alone follow the render.

/** Attributes the page sets on drawn nodes, never the render: an open <details>, a focus target. */
const OWN_ATTRIBUTES = new Set(["open", "tabindex", "data-asked"]);

function keyOf(node) {
  if (node.nodeType !== 1) return `#${node.nodeType}`;
  if (node.id) return `${node.tagName}#${node.id}`;
  return `${node.tagName}.${node.classList[0] || ""}`;
}

function syncAttributes(from, to) {
  for (const { name } of [...from.attributes]) {
    if (!to.hasAttribute(name) && !OWN_ATTRIBUTES.has(name)) from.removeAttribute(name);
  }
  for (const { name, value } of [...to.attributes]) {
    if (from.getAttribute(name) !== value) from.setAttribute(name, value);
  }
}

/** Make `from` (in the page) show what `to` (just rendered, not in the page) shows. */
export function morph(from, to, options = {}) {
  const keep = options.keep || (() => false);
  const leaveChildren = options.leaveChildren || (() => false);
  syncAttributes(from, to);
  if (!leaveChildren(from)) morphChildren(from, to, keep, leaveChildren);
}

function morphChildren(from, to, keep, leaveChildren) {
  const skipKept = (node) => {
    let at = node;
    while (at && keep(at)) at = at.nextSibling;
    return at;
  };
  let cursor = skipKept(from.firstChild);
  for (const wanted of [...to.childNodes]) {
    const key = keyOf(wanted);
    let match = null;
    if (wanted.nodeType === 1) {
      for (let node = cursor; node; node = node.nextSibling) {
        if (!keep(node) && keyOf(node) === key) {
          match = node;
          break;
        }
      }
    } else if (cursor && keyOf(cursor) === key) {
      match = cursor; // text is matched where it stands, never looked for further on
    }
    if (!match) {
      from.insertBefore(wanted, cursor);
      continue;
    }
    while (cursor !== match) {
      const next = cursor.nextSibling;
      if (!keep(cursor)) cursor.remove();
      cursor = next;
    }
    if (match.nodeType === 1) morph(match, wanted, { keep, leaveChildren });
    else if (match.nodeValue !== wanted.nodeValue) match.nodeValue = wanted.nodeValue;
    cursor = skipKept(match.nextSibling);
  }
  while (cursor) {
    const next = cursor.nextSibling;
    if (!keep(cursor)) cursor.remove();
    cursor = next;
  }
}
