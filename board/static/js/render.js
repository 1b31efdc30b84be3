// Post cards: the same markup as templates/_post.html, built with the DOM (user text
// only ever goes in through textContent), and updated in place so a comment being
// typed or a focused button survives a live change.
//
// ctx: {me: {id, role, name, anonymous}, postsUrl, labels?, isNew?(postId),
// pending?(postId), groupOf?(post), myOffers?, isHelping?(postId), isNaming?(postId),
// reasons?, isHiding?(postId)}.
// `pending(postId)` is the outbox's overlay for a post (outbox.js pendingView): a
// support not yet acknowledged, comments "Sending…", an edit or a delete in flight,
// help offered or withdrawn, a join or a leave.
//
// Ideas and needs also show who can help ("I can help"), and suggested helpers; ideas
// show their group ("I'm in"). Those parts are blocks that are redrawn whole when what
// they show changes (see drawBlock), keeping what is typed and where the focus is.
//
// Facilitators also get a moderation block on every card: "Hide" (with a reason from
// ctx.reasons and an optional note), or "Restore" on a hidden post, which they alone see,
// marked "Hidden: <reason>"; on a post waiting for approval, "Approve" and "Reject".
//
// Running the room (issue 5), from more of ctx: session (state.session), myDots(postId),
// blocked ("closed" | "locked" | null: the session lets no participant write), muted,
// reported(postId), reportReasons, spotlightId. A post that is not open to everyone
// (waiting for approval, held back until the reveal, rejected) says so at the top
// (p.post-state[data-state]) and takes no support, comments, dots, help or reports.
// While prioritising, ideas and needs get a dot box (.dot-box: "Place a dot", "Take
// back"); others' open posts get "Report" (details.report-box with the reasons as radios).
//
// Proposals and the council (issue 6), from ctx.proposalOf?(post): the idea's proposal as
// state.shownProposal gives it. An idea with one shows, above its actions, a
// div.card-proposal[data-state] (also [data-outcome] once decided): a line saying where
// it stands (p.card-proposal-line), or once the council has decided, prominently, the
// decision (h4.card-decision-heading with strong.card-decision-outcome, then
// p.card-decision-meta, p.card-decision-reasons, p.card-decision-conditions, shortened),
// and a link to the proposal page (a.card-proposal-link).

import { t, tn } from "./i18n.js";
import { newOpId } from "./live.js";
import { reasonLabel } from "./moderation.js";
import { isMember, isOpen, supportedBy } from "./state.js";

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
  return post.author.id === ctx.me.id && post.state !== "rejected"; // a rejected post is final
}

function moderates(ctx) {
  return ctx.me.role === "facilitator";
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
    post.pinned ? h("span", { class: "pinned-badge" }, t("pinned")) : null,
    post.pinned ? " " : null,
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
  if (post.hidden && moderates(ctx)) name += " is-hidden";
  if (post.state && post.state !== "visible") name += ` is-${post.state}`;
  if (post.pinned) name += " is-pinned";
  if (ctx.spotlightId === post.id) name += " is-spotlit";
  return name;
}

/** The author line: who wrote it, or whom a facilitator entered it for. */
function authorText(post) {
  return post.on_behalf_of ? t("entered_for", { name: post.on_behalf_of }) : nameOf(post.author);
}

/** Why a post is not on the board for everyone (yet), at the top of its card. */
function stateNote(post, ctx) {
  const state = post.state || "visible";
  if (state === "visible") return null;
  const mine = post.author?.id === ctx.me.id;
  let text;
  if (state === "rejected") {
    text = t("state_rejected", { reason: reasonLabel(post.rejected_reason || "") });
  } else if (state === "pending") {
    text = mine ? t("state_pending") : t("state_pending_staff");
  } else if (state === "silent") {
    text = mine ? t("state_silent") : t("state_silent_staff");
  } else {
    return null;
  }
  return h(
    "div",
    { class: `post-state post-state-${state}`, "data-state": state },
    h("p", {}, text),
    state === "rejected" && post.rejected_note
      ? h("p", { class: "post-state-note" }, post.rejected_note)
      : null,
  );
}

function drawStateNote(card, post, ctx) {
  const note = card.querySelector(":scope > .post-state");
  const wanted = stateNote(post, ctx);
  if (note && !wanted) note.remove();
  else if (note && !note.isEqualNode(wanted)) note.replaceWith(wanted);
  else if (!note && wanted) card.querySelector(".post-kind").before(wanted);
}

/** Support and comments only go on open posts, and not while the session says no. */
function drawOpenness(card, post, ctx) {
  const open = isOpen(post);
  card.querySelector(".support-form").hidden = !open;
  const comments = card.querySelector(":scope > .comments");
  comments.hidden = !open && !(post.comments || []).length;
  const form = comments.querySelector(".comment-form");
  form.hidden = !open;
  const silenced = Boolean(ctx.blocked) || Boolean(ctx.muted);
  for (const control of form.querySelectorAll("input:not([type=hidden]), button")) {
    control.disabled = silenced;
  }
  card.querySelector("button.support").disabled = Boolean(ctx.blocked);
}

/** "Hidden: Spam" on a hidden post (only facilitators have hidden posts to show). */
function hiddenNote(post, ctx) {
  if (!post.hidden || !moderates(ctx)) return null;
  return h(
    "p",
    { class: "hidden-note" },
    h("span", { class: "hidden-label" }, t("hidden_label")),
    ` ${reasonLabel(post.hidden.reason)}`,
  );
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
    hiddenNote(post, ctx),
    stateNote(post, ctx),
    kindLine(post, ctx, ctx.isNew?.(id)),
    h("h3", { class: "post-title", id: `post-${id}-title` }, post.title),
    post.body ? h("p", { class: "post-body" }, post.body) : null,
    whenLine(post),
    h("p", { class: "post-author" }, authorText(post)),
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
  drawProposal(card, post, ctx);
  drawOpenness(card, post, ctx);
  drawModeration(card, post, ctx);
  drawDots(card, post, ctx);
  drawTogether(card, post, ctx);
  drawReport(card, post, ctx);
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
    whenLine(post),
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
  const note = card.querySelector(":scope > .hidden-note");
  const wantedNote = hiddenNote(post, ctx);
  if (note && !wantedNote) note.remove();
  else if (note && !note.isEqualNode(wantedNote)) note.replaceWith(wantedNote);
  else if (!note && wantedNote) card.prepend(wantedNote);
  drawStateNote(card, post, ctx);
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
  const when = card.querySelector(".post-when");
  const wantedWhen = whenLine(post);
  if (when && !wantedWhen) when.remove();
  else if (when && !when.isEqualNode(wantedWhen)) when.replaceWith(wantedWhen);
  else if (!when && wantedWhen) card.querySelector(".post-author").before(wantedWhen);
  setText(card.querySelector(".post-author"), authorText(post));
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
  drawProposal(card, post, ctx);
  drawOpenness(card, post, ctx);
  drawModeration(card, post, ctx);
  drawDots(card, post, ctx);
  drawTogether(card, post, ctx);
  drawReport(card, post, ctx);
}

// --- the idea's proposal to the council (issue 6) ---------------------------------------

const OUTCOMES = ["accepted", "accepted_with_conditions", "declined", "referred"];
const PROPOSAL_LINES = {
  draft: "card_proposal_draft",
  submitted: "card_proposal_submitted",
  received: "card_proposal_received",
  under_review: "card_proposal_under_review",
  withdrawn: "card_proposal_withdrawn",
};
/** How much of the reasons and conditions a card shows; the proposal page has the rest. */
export const DECISION_SHORT = 160;

/** "Accepted with conditions" (capitalised, on its own) for a decision's outcome. */
export function outcomeLabel(outcome) {
  return OUTCOMES.includes(outcome) ? t(`card_outcome_${outcome}`) : outcome || "";
}

/** "accepted with conditions", as it reads inside a sentence. */
export function outcomeWords(outcome) {
  return OUTCOMES.includes(outcome) ? t(`card_outcome_words_${outcome}`) : outcome || "";
}

/** A YYYY-MM-DD date as people read it, "3 December 2026" (the server's "d MMMM y"). */
export function dayText(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
  if (!match) return value || "";
  const when = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  try {
    const parts = new Intl.DateTimeFormat(document.documentElement.lang || "en", {
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    }).formatToParts(when);
    const part = (type) => parts.find((p) => p.type === type)?.value || "";
    return `${part("day")} ${part("month")} ${part("year")}`;
  } catch {
    return value;
  }
}

/** At most `length` characters, cut at a word, with "…" (as Jinja's truncate with leeway 0). */
export function shortText(text, length = DECISION_SHORT) {
  const value = text || "";
  if (value.length <= length) return value;
  const cut = value.slice(0, length - 1);
  const space = cut.lastIndexOf(" ");
  return `${space >= 0 ? cut.slice(0, space) : cut}…`;
}

function proposalBlock(post, ctx) {
  if (post.kind !== "idea") return [null, null];
  const proposal = ctx.proposalOf?.(post) || null;
  if (!proposal) return [null, null];
  const decided = proposal.state === "decided" && proposal.decision;
  if (!decided && !PROPOSAL_LINES[proposal.state]) return [null, null];
  const sig = JSON.stringify([proposal.id, proposal.state, proposal.decision]);
  const id = post.id;
  const href = `${boardUrl(ctx)}/proposals/${proposal.id}`;
  const make = () => {
    if (!decided) {
      return h(
        "div",
        {
          class: `card-proposal card-proposal-${proposal.state}`,
          "data-state": proposal.state,
          "data-proposal-id": String(proposal.id),
        },
        h("p", { class: "card-proposal-line" }, t(PROPOSAL_LINES[proposal.state])),
        h(
          "a",
          { class: "card-proposal-link", href, "aria-describedby": `post-${id}-title` },
          t("card_proposal_see"),
        ),
      );
    }
    const decision = proposal.decision;
    const headingId = `post-${id}-decision`;
    const reasons = shortText(decision.reasons);
    const conditions = shortText(decision.conditions);
    return h(
      "div",
      {
        class: `card-proposal card-proposal-decided card-decision-${decision.outcome}`,
        "data-state": "decided",
        "data-outcome": decision.outcome,
        "data-proposal-id": String(proposal.id),
      },
      h(
        "h4",
        { class: "card-decision-heading", id: headingId },
        `${t("card_decision_heading")} `,
        h("strong", { class: "card-decision-outcome" }, outcomeLabel(decision.outcome)),
      ),
      h(
        "p",
        { class: "card-decision-meta" },
        t("card_decision_meta", {
          date: dayText(decision.date),
          maker: decision.decision_maker || "",
        }),
      ),
      reasons
        ? h(
            "p",
            { class: "card-decision-reasons" },
            h("span", { class: "card-decision-label" }, t("card_decision_reasons")),
            ` ${reasons}`,
          )
        : null,
      conditions
        ? h(
            "p",
            { class: "card-decision-conditions" },
            h("span", { class: "card-decision-label" }, t("card_decision_conditions")),
            ` ${conditions}`,
          )
        : null,
      h(
        "a",
        { class: "card-proposal-link", href, "aria-describedby": `post-${id}-title` },
        t("card_decision_more"),
      ),
    );
  };
  return [sig, make];
}

/** Where the idea's proposal stands, or the council's decision: above the card's actions. */
function drawProposal(card, post, ctx) {
  const [sig, make] = proposalBlock(post, ctx);
  drawBlock(card, "card-proposal", -1, sig, make, (fresh) =>
    card.querySelector(":scope > .post-actions").before(fresh),
  );
}

// --- a facilitator's moderation block ---------------------------------------------------

function moderationBlock(post, ctx) {
  if (!moderates(ctx) || post.state === "rejected") return [null, null];
  if (post.state === "pending" && !post.hidden) return approvalBlock(post, ctx);
  const id = post.id;
  const pending = ctx.pending?.(id) || {};
  const busy = Boolean(pending.hiding || pending.restoring);
  const hidden = Boolean(post.hidden);
  const open = !hidden && !busy && Boolean(ctx.isHiding?.(id));
  const reasons = ctx.reasons || [];
  const sig = JSON.stringify([hidden, busy, open, reasons]);
  const formId = `hide-form-${id}`;
  const make = () => {
    if (busy) {
      return h("div", { class: "moderation-box" }, h("p", { class: "box-status" }, t("sending")));
    }
    if (hidden) {
      return h(
        "div",
        { class: "moderation-box" },
        boardForm(
          `${ctx.postsUrl}/${id}/restore`,
          "restore-form",
          h("button", { type: "submit", class: "restore secondary" }, t("restore")),
        ),
      );
    }
    const form = boardForm(
      `${ctx.postsUrl}/${id}/hide`,
      "hide-form",
      h("label", { for: `hide-${id}-reason` }, t("why_hide")),
      h(
        "select",
        { id: `hide-${id}-reason`, name: "reason" },
        ...reasons.map((reason) => h("option", { value: reason }, reasonLabel(reason))),
      ),
      h(
        "label",
        { for: `hide-${id}-note` },
        `${t("hide_note")} `,
        h("span", { class: "hint" }, t("optional")),
      ),
      h("input", { id: `hide-${id}-note`, name: "note", maxlength: "500", autocomplete: "off" }),
      h(
        "div",
        { class: "hide-buttons" },
        h("button", { type: "submit", class: "hide-send" }, t("hide_send")),
        h("button", { type: "button", class: "hide-cancel secondary" }, t("cancel")),
      ),
    );
    form.id = formId;
    form.hidden = !open;
    return h(
      "div",
      { class: "moderation-box" },
      h(
        "button",
        {
          type: "button",
          class: "hide secondary",
          "aria-expanded": String(open),
          "aria-controls": formId,
        },
        t("hide"),
      ),
      form,
    );
  };
  return [sig, make];
}

/** A facilitator's Approve / Reject on a post waiting in the pre-moderation queue. */
function approvalBlock(post, ctx) {
  const id = post.id;
  const pending = ctx.pending?.(id) || {};
  const busy = Boolean(pending.approving || pending.rejecting);
  const reasons = ctx.reasons || [];
  const sig = JSON.stringify(["approval", busy, reasons]);
  const make = () => {
    if (busy) {
      return h("div", { class: "moderation-box" }, h("p", { class: "box-status" }, t("sending")));
    }
    return h(
      "div",
      { class: "moderation-box approval-box" },
      h(
        "form",
        { class: "approve-form" },
        h("button", { type: "submit", class: "approve" }, t("approve")),
      ),
      h(
        "details",
        { class: "reject-box" },
        h("summary", {}, t("reject")),
        h(
          "form",
          { class: "reject-form" },
          h("label", { for: `reject-${id}-reason` }, t("why_reject")),
          h(
            "select",
            { id: `reject-${id}-reason`, name: "reason" },
            ...reasons
              .filter((reason) => reason !== "duplicate")
              .map((reason) => h("option", { value: reason }, reasonLabel(reason))),
          ),
          h(
            "label",
            { for: `reject-${id}-note` },
            `${t("reject_note")} `,
            h("span", { class: "hint" }, t("optional")),
          ),
          h("input", {
            id: `reject-${id}-note`,
            name: "note",
            maxlength: "500",
            autocomplete: "off",
          }),
          h("button", { type: "submit", class: "reject-send" }, t("reject_send")),
        ),
      ),
    );
  };
  return [sig, make];
}

/** Hide or Restore, right under the post's own actions. */
function drawModeration(card, post, ctx) {
  const [sig, make] = moderationBlock(post, ctx);
  drawBlock(card, "moderation-box", -1, sig, make, (fresh) =>
    card.querySelector(":scope > .post-actions").after(fresh),
  );
}

// --- dots and reports -------------------------------------------------------------------

const DOTTABLE = ["idea", "need"];

/** My dots on a post as shown: the confirmed ones plus those still on their way. */
function dotsShown(post, ctx) {
  const mine = (ctx.myDots?.(post.id) || 0) + (ctx.pending?.(post.id)?.dots || 0);
  return Math.max(0, mine);
}

function dotBlock(post, ctx) {
  const session = ctx.session || {};
  const prioritising = session.phase === "prioritise";
  const total = post.dot_count;
  const shown = DOTTABLE.includes(post.kind) && isOpen(post);
  if (!shown || (!prioritising && !total)) return [null, null];
  const mine = dotsShown(post, ctx);
  const sending = ctx.pending?.(post.id)?.dots !== undefined;
  const blocked = Boolean(ctx.blocked);
  const sig = JSON.stringify([prioritising, total, mine, sending, blocked]);
  const base = `${ctx.postsUrl}/${post.id}/dots`;
  const make = () => {
    const words = [];
    if (total != null) words.push(tn("dot_count", total));
    if (prioritising) words.push(t("my_dots_here", { count: mine }));
    return h(
      "div",
      { class: "dot-box", "data-mine": String(mine) },
      h("p", { class: "dot-status" }, words.join(" · ")),
      prioritising
        ? h(
            "div",
            { class: "dot-buttons" },
            boardForm(
              base,
              "dot-form",
              h(
                "button",
                { type: "submit", class: "dot-place", disabled: blocked },
                t("place_dot"),
              ),
            ),
            mine
              ? boardForm(
                  `${base}/take-back`,
                  "undot-form",
                  h(
                    "button",
                    { type: "submit", class: "dot-take-back secondary", disabled: blocked },
                    t("take_back_dot"),
                  ),
                )
              : null,
          )
        : null,
    );
  };
  return [sig, make];
}

/** Dots while prioritising (and the count once they are shown), under the actions. */
function drawDots(card, post, ctx) {
  const [sig, make] = dotBlock(post, ctx);
  drawBlock(card, "dot-box", -1, sig, make, (fresh) =>
    (card.querySelector(":scope > .moderation-box") || card.querySelector(".post-actions")).after(
      fresh,
    ),
  );
}

function reportBlock(post, ctx) {
  const id = post.id;
  const mayReport =
    isOpen(post) && post.author?.id !== ctx.me.id && !moderates(ctx) && !ctx.blocked;
  if (!mayReport) return [null, null];
  const reporting = Boolean(ctx.pending?.(id)?.reporting);
  const done = Boolean(ctx.reported?.(id));
  const reasons = ctx.reportReasons || [];
  const sig = JSON.stringify([reporting, done, reasons]);
  const make = () => {
    if (reporting || done) {
      return h(
        "p",
        { class: "report-box report-done", role: done ? "status" : null },
        done ? t("report_thanks") : t("sending"),
      );
    }
    return h(
      "details",
      { class: "report-box" },
      h("summary", {}, t("report")),
      boardForm(
        `${ctx.postsUrl}/${id}/report`,
        "report-form",
        h(
          "fieldset",
          { class: "report-reasons" },
          h("legend", {}, t("report_why")),
          ...reasons.map((reason, index) =>
            h(
              "label",
              {},
              h("input", {
                type: "radio",
                name: "reason",
                value: reason,
                required: index === 0 ? "" : null,
              }),
              ` ${reasonLabel(reason)}`,
            ),
          ),
        ),
        h("button", { type: "submit", class: "report-send" }, t("report_send")),
      ),
    );
  };
  return [sig, make];
}

/** "Report" at the foot of others' open cards. */
function drawReport(card, post, ctx) {
  const [sig, make] = reportBlock(post, ctx);
  drawBlock(card, "report-box", -1, sig, make, (fresh) => card.append(fresh));
}

// --- offers, helpers and groups -------------------------------------------------------

const OFFER_KINDS = ["skill", "tool", "need"];

/** "When: Saturday mornings" on offers and needs that say when. */
function whenLine(post) {
  if (!OFFER_KINDS.includes(post.kind) || !post.availability) return null;
  return h(
    "p",
    { class: "post-when" },
    h("span", { class: "post-when-label" }, t("when_label")),
    ` ${post.availability}`,
  );
}

function boardUrl(ctx) {
  return ctx.boardUrl || ctx.postsUrl.replace(/\/posts$/, "");
}

/** One "I can help": who, with which offer (or just themselves), and when. */
export function helperItem(link, ctx, unlinking = false) {
  const mine = link.helper?.id === ctx.me.id;
  const offer = link.offer;
  return h(
    "li",
    { class: "helper", id: `link-${link.id}` },
    h("span", { class: "helper-name" }, nameOf(link.helper)),
    " · ",
    offer
      ? h("span", { class: "helper-offer" }, offer.title)
      : h("span", { class: "helper-offer helper-just-me" }, t("just_me_helper")),
    offer?.availability ? " " : null,
    offer?.availability ? h("span", { class: "helper-when" }, `(${offer.availability})`) : null,
    mine && !unlinking
      ? boardForm(
          `${boardUrl(ctx)}/helpers/${link.id}/remove`,
          "unlink-form",
          h("button", { type: "submit", class: "unlink secondary" }, t("withdraw_help")),
        )
      : null,
    unlinking ? h("span", { class: "helper-status" }, ` ${t("sending")}`) : null,
  );
}

/** "1 member: Tomasz" / "3 members: Tomasz, Aisha, 1 anonymous member". */
export function membersText(group, fallbackCount = 0) {
  const count = group ? (group.member_ids || []).length : fallbackCount;
  const text = tn("members", count);
  if (!group) return text;
  const names = (group.members || []).map((p) => nameOf(p));
  if (!names.length) return text;
  const anonymous = group.anonymous_members || 0;
  if (anonymous) names.push(tn("anonymous_members", anonymous));
  return `${text}: ${names.join(", ")}`;
}

/** What "I can help" can offer here: my offers not linked yet, then "just me". */
function helpChoices(post, ctx) {
  const helpers = post.helpers || [];
  const linked = new Set(helpers.map((l) => l.offer?.id).filter(Boolean));
  const choices = (ctx.myOffers || [])
    .filter((offer) => !linked.has(offer.id))
    .map((offer) => ({ value: String(offer.id), label: offer.title }));
  if (!helpers.some((l) => !l.offer && l.helper?.id === ctx.me.id)) {
    choices.push({ value: "", label: t("just_me") });
  }
  return choices;
}

function helpersBlock(post, ctx) {
  const pending = ctx.pending?.(post.id);
  const unlinking = pending?.unlinking || [];
  const helpers = post.helpers || [];
  const sig = JSON.stringify([helpers, ctx.me.id, unlinking]);
  const make = () =>
    h(
      "div",
      { class: "helpers", hidden: helpers.length ? null : "" },
      h("h4", { class: "helpers-heading" }, t("who_can_help")),
      h(
        "ul",
        { class: "helper-list" },
        ...helpers.map((link) => helperItem(link, ctx, unlinking.includes(link.id))),
      ),
    );
  return [sig, make];
}

function helpBlock(post, ctx) {
  const id = post.id;
  const choices = helpChoices(post, ctx);
  const helping = Boolean(ctx.pending?.(id)?.helping);
  const open = Boolean(ctx.isHelping?.(id)) && choices.length > 0;
  if (!choices.length && !helping) return [null, null];
  const sig = JSON.stringify([choices, open, helping]);
  const formId = `help-form-${id}`;
  const make = () =>
    h(
      "div",
      { class: "help-box" },
      h(
        "button",
        {
          type: "button",
          class: "can-help secondary",
          "aria-expanded": String(open),
          "aria-controls": formId,
          hidden: choices.length ? null : "",
        },
        t("can_help"),
      ),
      boardForm(
        `${ctx.postsUrl}/${id}/helpers`,
        "help-form",
        h("label", { for: `help-${id}-offer` }, t("how_help")),
        h(
          "select",
          { id: `help-${id}-offer`, name: "offer_id" },
          ...choices.map((choice) => h("option", { value: choice.value }, choice.label)),
        ),
        h(
          "div",
          { class: "help-buttons" },
          h("button", { type: "submit", class: "help-send" }, t("offer_help")),
          h("button", { type: "button", class: "help-cancel secondary" }, t("cancel")),
        ),
      ),
      helping ? h("p", { class: "box-status" }, t("sending")) : null,
    );
  const wrap = () => {
    const box = make();
    const form = box.querySelector(".help-form");
    form.id = formId;
    form.hidden = !open;
    return box;
  };
  return [sig, wrap];
}

function groupBlock(post, ctx) {
  if (post.kind !== "idea") return [null, null];
  const id = post.id;
  const group = ctx.groupOf?.(post) || null;
  const summary = post.group;
  const member = isMember(group, ctx.me.id);
  const closed = Boolean(summary?.closed || group?.closed);
  const pending = ctx.pending?.(id) || {};
  const naming = Boolean(ctx.isNaming?.(id)) && ctx.me.anonymous;
  const members = summary ? membersText(group, summary.member_count) : "";
  const sig = JSON.stringify([
    summary?.id,
    group?.name || summary?.name,
    members,
    closed,
    member,
    Boolean(ctx.me.anonymous),
    naming,
    Boolean(pending.joining),
    Boolean(pending.leaving),
  ]);
  const base = boardUrl(ctx);
  const make = () => {
    let action = null;
    if (pending.joining || pending.leaving) {
      action = h("p", { class: "box-status" }, t("sending"));
    } else if (closed) {
      action = h("p", { class: "group-closed" }, t("group_closed"));
    } else if (member) {
      action = boardForm(
        `${base}/groups/${summary.id}/leave`,
        "leave-form",
        h("button", { type: "submit", class: "leave secondary" }, t("leave_group")),
      );
    } else {
      action = boardForm(
        `${ctx.postsUrl}/${id}/group`,
        "join-form",
        ctx.me.anonymous
          ? h(
              "div",
              { class: "join-name", hidden: naming ? null : "" },
              h("label", { for: `join-${id}-name` }, t("group_name_label")),
              h("p", { class: "hint", id: `join-${id}-hint` }, t("group_name_hint")),
              h("input", {
                id: `join-${id}-name`,
                name: "display_name",
                maxlength: "40",
                autocomplete: "nickname",
                "aria-describedby": `join-${id}-hint`,
              }),
            )
          : null,
        h("button", { type: "submit", class: "im-in" }, t("im_in")),
      );
    }
    return h(
      "div",
      { class: "group-box" },
      summary
        ? h(
            "p",
            { class: "group-summary" },
            `${t("group_label")} `,
            h(
              "a",
              { class: "group-link", href: `${base}/groups/${summary.id}` },
              group?.name || summary.name,
            ),
            " ",
            h("span", { class: "group-members" }, members),
          )
        : null,
      action,
    );
  };
  return [sig, make];
}

function suggestionsBlock(post, ctx) {
  const base = boardUrl(ctx);
  const code = base.split("/").pop();
  const make = () =>
    h(
      "details",
      { class: "suggestions" },
      h("summary", {}, t("suggested_helpers")),
      h(
        "div",
        {
          class: "suggestion-results",
          "data-url": `/api/v1/boards/${code}/posts/${post.id}/suggestions`,
        },
        h("p", { class: "suggestion-status", role: "status" }),
        h("ul", { class: "suggestion-list" }),
        h("p", {}, h("a", { class: "offers-link", href: `${base}/offers` }, t("browse_offers"))),
      ),
    );
  return ["suggestions", make];
}

const BLOCKS = [
  ["helpers", helpersBlock],
  ["help-box", helpBlock],
  ["group-box", groupBlock],
  ["suggestions", suggestionsBlock],
];

/** Who can help, "I can help", the group and suggestions: ideas and needs only. */
function drawTogether(card, post, ctx) {
  const helpable = (post.kind === "idea" || post.kind === "need") && isOpen(post);
  for (const [index, [name, block]] of BLOCKS.entries()) {
    const [sig, make] = helpable ? block(post, ctx) : [null, null];
    drawBlock(card, name, index, sig, make);
  }
}

function focusKey(el) {
  return `${el.tagName}|${el.getAttribute("name") || ""}|${el.className}`;
}

/**
 * Put block `name` on the card, drawn by make(), unless it already shows `sig`.
 * A redrawn block keeps what was typed in it and the focus (on the same control, or
 * on the block itself when that control is gone). A new block goes where `place(block)`
 * puts it, else before the BLOCKS that follow `index`.
 */
function drawBlock(card, name, index, sig, make, place = null) {
  const existing = card.querySelector(`:scope > .${name}`);
  if (!make) {
    if (existing) {
      const hadFocus = existing.contains(document.activeElement);
      existing.remove();
      const title = card.querySelector(".post-title");
      if (hadFocus && title) {
        title.setAttribute("tabindex", "-1");
        title.focus({ preventScroll: true });
      }
    }
    return;
  }
  if (existing && existing.dataset.sig === sig) return;
  const fresh = make();
  fresh.dataset.sig = sig;
  if (!existing && place) {
    place(fresh);
    return;
  }
  if (!existing) {
    const later = BLOCKS.slice(index + 1)
      .map(([other]) => card.querySelector(`:scope > .${other}`))
      .find(Boolean);
    card.insertBefore(fresh, later || card.querySelector(":scope > .comments"));
    return;
  }
  const values = new Map();
  for (const field of existing.querySelectorAll("input[name], select[name], textarea[name]")) {
    if (field.type !== "hidden") values.set(field.name, field.value);
  }
  const focused = existing.contains(document.activeElement) ? document.activeElement : null;
  const key = focused ? focusKey(focused) : null;
  existing.replaceWith(fresh);
  for (const field of fresh.querySelectorAll("input[name], select[name], textarea[name]")) {
    if (!values.has(field.name) || field.type === "hidden") continue;
    const value = values.get(field.name);
    if (field.tagName !== "SELECT" || [...field.options].some((o) => o.value === value)) {
      field.value = value;
    }
  }
  if (key) {
    const same = [...fresh.querySelectorAll("*")].find(
      (el) => focusKey(el) === key && !el.closest("[hidden]"),
    );
    if (same) {
      same.focus({ preventScroll: true });
    } else {
      fresh.setAttribute("tabindex", "-1");
      fresh.focus({ preventScroll: true });
    }
  }
}

/** The suggestions list for a post, drawn from the API's answer. */
export function suggestionItems(suggestions) {
  return suggestions.map(({ offer, why }) =>
    h(
      "li",
      { class: "suggestion" },
      h("a", { class: "suggestion-offer", href: `#post-${offer.id}` }, offer.title),
      " · ",
      h("span", { class: "suggestion-author" }, nameOf(offer.author)),
      offer.availability ? ` (${offer.availability})` : null,
      h("span", { class: "suggestion-why" }, t("why", { why })),
    ),
  );
}
