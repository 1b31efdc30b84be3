// The card view: what templates/cards/post.mustache shows of a post to a viewer, as a plain
// object. board/web/cards.py computes the same view from the same inputs (the page's first
// render); tests/fixtures/card_views.json holds cases both must reproduce exactly. Pure:
// no DOM, the words come in as `strings` (the page's i18n catalogue). Inputs are described
// in cards.py's docstring.

/** The catalogue's words a card shows as they are (the same list as cards.py's LABELS). */
export const LABELS = (
  "hidden_label pinned new_badge when_label support edit delete sending restore hide " +
  "why_hide hide_note optional hide_send cancel approve reject why_reject reject_note " +
  "reject_send place_dot take_back_dot who_can_help just_me_helper withdraw_help can_help " +
  "how_help offer_help group_label group_closed leave_group group_name_label " +
  "group_name_hint im_in suggested_helpers browse_offers add_comment send report " +
  "report_why report_send report_thanks card_decision_heading card_decision_reasons " +
  "card_decision_conditions card_decision_more card_proposal_see close_card"
).split(" ");
const OUTCOMES = ["accepted", "accepted_with_conditions", "declined", "referred"];
const PROPOSAL_LINES = ["draft", "submitted", "received", "under_review", "withdrawn"];
/** How much of a decision's reasons and conditions a card shows; the proposal page has all. */
export const DECISION_SHORT = 160;
const OFFER_KINDS = ["skill", "tool", "need"];
/** A body longer than this (or of more lines) is clamped on the card, with "Read more". */
export const LONG_BODY = 70;
const LONG_LINES = 2;

/** Whether a body is more than the card's first lines (cards.py's is_long). */
export function isLong(body) {
  return body.length > LONG_BODY || (body.match(/\n/g) || []).length >= LONG_LINES;
}

/** "2 comments · 1 can help": what the card's view holds, counted on the card. */
export function countsText(w, post) {
  const parts = [];
  const comments = (post.comments || []).length;
  if (comments) parts.push(w.tn("comment_count", comments));
  const helpers = ["idea", "need"].includes(post.kind) ? (post.helpers || []).length : 0;
  if (helpers) parts.push(w.tn("helper_count", helpers));
  return parts.join(" · ");
}

/** t and tn of i18n.js over a catalogue, plus reasons and dates in words. */
export function words(strings, lang = "en") {
  let plurals = null;
  try {
    plurals = new Intl.PluralRules(lang);
  } catch {
    plurals = null;
  }
  const t = (key, params = {}) =>
    (strings[key] ?? key).replace(/\{(\w+)\}/g, (match, name) =>
      name in params ? String(params[name]) : match,
    );
  const tn = (key, count, params = {}) => {
    const one = plurals ? plurals.select(count) === "one" : count === 1;
    return t(`${key}_${one ? "one" : "other"}`, { count, ...params });
  };
  const reason = (value) => {
    if (!value) return "";
    const key = `reason_${String(value)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "_")}`;
    return strings[key] ?? value;
  };
  const day = (value) => dayText(value, lang);
  return { t, tn, reason, day };
}

/** A YYYY-MM-DD date as people read it, "3 December 2026" (the server's "d MMMM y"). */
export function dayText(value, lang = "en") {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || "");
  if (!match) return value || "";
  const when = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  try {
    const parts = new Intl.DateTimeFormat(lang || "en", {
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

/** "1 member: Tomasz" / "3 members: Tomasz, Aisha, 1 anonymous member". */
export function membersText(w, group, fallbackCount = 0) {
  const count = group ? (group.member_ids || []).length : fallbackCount;
  const text = w.tn("members", count);
  if (!group) return text;
  const names = (group.members || []).map((p) => p?.name || w.t("anonymous"));
  if (!names.length) return text;
  if (group.anonymous_members) names.push(w.tn("anonymous_members", group.anonymous_members));
  return `${text}: ${names.join(", ")}`;
}

function nameOf(person, w) {
  return person?.name || w.t("anonymous");
}

function reasonChoices(w, reasons) {
  return reasons.map((r) => ({ value: r, label: w.reason(r) }));
}

/** What the card template shows of `post` to `viewer` (see cards.py). */
export function cardView(post, viewer, strings, ui = {}) {
  const pending = ui.pending || {};
  const w = words(strings, viewer.lang || "en");
  const me = viewer.me;
  const id = post.id;
  const kind = post.kind;
  const state = post.state || "visible";
  const moderates = me.role === "facilitator";
  const hidden = Boolean(post.hidden);
  const isOpen = state === "visible" && !hidden;
  const mine = post.author?.id === me.id;
  const blocked = Boolean(viewer.blocked);
  const boardUrl = viewer.board_url;

  const classes = ["post", `post-${kind}`];
  if (ui.new) classes.push("is-new-since-visit");
  if (pending.edit) classes.push("is-updating");
  if (ui.editing) classes.push("is-editing");
  if (ui.viewing) classes.push("is-open");
  if (hidden && moderates) classes.push("is-hidden");
  if (state !== "visible") classes.push(`is-${state}`);
  if (post.pinned) classes.push("is-pinned");
  if (viewer.spotlight_id === id) classes.push("is-spotlit");

  let stateNote = null;
  if (["rejected", "pending", "silent"].includes(state)) {
    const text =
      state === "rejected"
        ? w.t("state_rejected", { reason: w.reason(post.rejected_reason) })
        : w.t(mine ? `state_${state}` : `state_${state}_staff`);
    const note = state === "rejected" ? post.rejected_note : null;
    stateNote = { state, text, note: note || "" };
  }

  const confirmed = (post.supporter_ids || []).includes(me.id);
  const wanted = pending.supported;
  const count = post.support_count || 0;
  let support;
  if (wanted === undefined || wanted === null) {
    support = { pressed: confirmed, count, sending: false };
  } else {
    const delta = wanted === confirmed ? 0 : wanted ? 1 : -1;
    support = { pressed: wanted, count: count + delta, sending: true };
  }

  let status = "";
  if (pending.deleting) status = w.t("deleting");
  else if (pending.edit) status = w.t("sending");

  const together = isOpen && (kind === "idea" || kind === "need");
  const body = post.body || "";
  const dots = dotsView(post, viewer, ui, w, isOpen);
  const unlinking = pending.unlinking || [];
  return {
    id,
    class: classes.join(" "),
    op: `${viewer.op_seed}-${id}`,
    op_seed: viewer.op_seed,
    csrf: viewer.csrf || "",
    url: `${boardUrl}/posts/${id}`,
    board_url: boardUrl,
    api_url: viewer.api_url,
    t: Object.fromEntries(LABELS.map((key) => [key, w.t(key)])),
    hidden_note: hidden && moderates ? w.reason(post.hidden.reason) : "",
    state_note: stateNote,
    pinned: Boolean(post.pinned),
    is_new: Boolean(ui.new),
    kind_label: w.t(`kind_${kind}`),
    tag: post.tag || "",
    title: post.title,
    post_title: post.title,
    body,
    long: isLong(body),
    counts: countsText(w, post),
    viewing: ui.viewing ? "true" : "false",
    open_label: w.t(isLong(body) ? "read_more" : "open_card"),
    when: OFFER_KINDS.includes(kind) ? post.availability || "" : "",
    author: post.on_behalf_of
      ? w.t("entered_for", { name: post.on_behalf_of })
      : nameOf(post.author, w),
    status,
    proposal: proposalView(post, viewer, w),
    open: isOpen,
    support: {
      class: support.sending ? "support is-sending" : "support",
      pressed: support.pressed ? "true" : "false",
      count: support.count,
    },
    blocked,
    can_edit: mine && state !== "rejected",
    can_delete: mine || moderates,
    moderation: moderationView(post, viewer, ui, w),
    dots,
    dot_first: Boolean(dots && dots.prioritising),
    together,
    helpers: together
      ? (post.helpers || []).map((link) => ({
          link_id: link.id,
          name: nameOf(link.helper, w),
          offer: link.offer
            ? { title: link.offer.title, availability: link.offer.availability || "" }
            : null,
          unlink: link.helper?.id === me.id && !unlinking.includes(link.id),
          unlinking: unlinking.includes(link.id),
        }))
      : [],
    help: together ? helpView(post, viewer, ui, w) : null,
    group: together ? groupView(post, viewer, ui, w) : null,
    comments: {
      box_hidden: !isOpen && !(post.comments || []).length,
      list: (post.comments || []).map((c) => ({
        comment_id: c.id,
        who: nameOf(c.author, w),
        text: c.body,
      })),
      sending: (pending.comments || []).map((op) => ({
        op_id: op.op_id,
        who: nameOf(me, w),
        text: op.body,
      })),
      label: w.t("comment_on", { title: post.title }),
      silenced: blocked || Boolean(viewer.muted),
    },
    report: reportView(post, viewer, ui, w, isOpen, mine, moderates),
  };
}

function proposalView(post, viewer, w) {
  const proposal = viewer.proposal;
  if (post.kind !== "idea" || !proposal) return null;
  const href = `${viewer.board_url}/proposals/${proposal.id}`;
  const decision = proposal.state === "decided" ? proposal.decision : null;
  if (decision) {
    const outcome = decision.outcome || "";
    return {
      decided: true,
      proposal_id: proposal.id,
      href,
      outcome,
      outcome_label: OUTCOMES.includes(outcome) ? w.t(`card_outcome_${outcome}`) : outcome,
      meta: w.t("card_decision_meta", {
        date: w.day(decision.date),
        maker: decision.decision_maker || "",
      }),
      reasons: shortText(decision.reasons),
      conditions: shortText(decision.conditions),
    };
  }
  if (!PROPOSAL_LINES.includes(proposal.state)) return null;
  return {
    decided: false,
    proposal_id: proposal.id,
    href,
    state: proposal.state,
    line: w.t(`card_proposal_${proposal.state}`),
  };
}

function moderationView(post, viewer, ui, w) {
  if (viewer.me.role !== "facilitator" || post.state === "rejected") return null;
  const pending = ui.pending || {};
  const reasons = viewer.reasons || [];
  const none = { busy: false, restore: false, hide: null, approval: null };
  if (post.state === "pending" && !post.hidden) {
    if (pending.approving || pending.rejecting) return { ...none, busy: true };
    const kept = reasons.filter((r) => r !== "duplicate");
    return { ...none, approval: { reasons: reasonChoices(w, kept) } };
  }
  if (pending.hiding || pending.restoring) return { ...none, busy: true };
  if (post.hidden) return { ...none, restore: true };
  return {
    ...none,
    hide: { expanded: ui.hiding ? "true" : "false", reasons: reasonChoices(w, reasons) },
  };
}

function dotsView(post, viewer, ui, w, isOpen) {
  const prioritising = viewer.phase === "prioritise";
  const total = post.dot_count;
  if (!["idea", "need"].includes(post.kind) || !isOpen || (!prioritising && !total)) return null;
  const mine = Math.max(0, (viewer.my_dots || 0) + (ui.pending?.dots || 0));
  const left = viewer.dots_left;
  const noneLeft = prioritising && left !== null && left !== undefined && left <= 0;
  const status = [];
  if (total !== null && total !== undefined) status.push(w.tn("dot_count", total));
  if (prioritising) status.push(w.t("my_dots_here", { count: mine }));
  return {
    mine,
    status: status.join(" · "),
    why: noneLeft ? w.t("no_dots_to_place") : "",
    prioritising,
    off: Boolean(viewer.blocked) || noneLeft,
  };
}

function helpView(post, viewer, ui, w) {
  const me = viewer.me;
  const helpers = post.helpers || [];
  const linked = new Set(helpers.filter((l) => l.offer).map((l) => l.offer.id));
  const choices = (viewer.my_offers || [])
    .filter((offer) => !linked.has(offer.id))
    .map((offer) => ({ value: String(offer.id), label: offer.title }));
  if (!helpers.some((l) => !l.offer && l.helper?.id === me.id)) {
    choices.push({ value: "", label: w.t("just_me") });
  }
  const sending = Boolean(ui.pending?.helping);
  if (!choices.length && !sending) return null;
  return { expanded: ui.helping && choices.length ? "true" : "false", choices, sending };
}

function groupView(post, viewer, ui, w) {
  if (post.kind !== "idea") return null;
  const me = viewer.me;
  const group = viewer.group || null;
  const summary = post.group || null;
  const member = Boolean(group) && (group.member_ids || []).includes(me.id);
  const closed = Boolean(summary?.closed || group?.closed);
  const pending = ui.pending || {};
  const sending = Boolean(pending.joining || pending.leaving);
  const anonymous = Boolean(me.anonymous);
  const naming = Boolean(ui.naming) && anonymous;
  return {
    group_id: summary ? summary.id : null,
    summary: summary
      ? {
          name: group?.name || summary.name,
          members: membersText(w, group, summary.member_count || 0),
        }
      : null,
    sending,
    closed: closed && !sending,
    leave: member && !closed && !sending,
    join:
      member || closed || sending
        ? null
        : { class: naming ? "join-form is-naming" : "join-form", anonymous },
  };
}

function reportView(post, viewer, ui, w, isOpen, mine, moderates) {
  if (!isOpen || mine || moderates || viewer.blocked) return null;
  const done = Boolean(ui.reported);
  const sending = Boolean(ui.pending?.reporting) && !done;
  return {
    done,
    sending,
    ask: !done && !sending,
    reasons: (viewer.report_reasons || []).map((r, i) => ({
      value: r,
      label: w.reason(r),
      first: i === 0,
    })),
  };
}
