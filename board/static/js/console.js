// The facilitator's console, live: run the session (phase, lock, pre-moderation, silent
// brainstorming, dots, reports, slow mode), the timer and the spotlight; the queue of posts
// waiting for approval, reported and hidden posts; every post with pin, spotlight, hide and
// merge; a post entered for someone from a paper card; the people on the board; who is
// being heard (fairness). Every change goes over the socket and comes back as an event,
// like everyone else's, so two facilitators' consoles always agree.
//
// The page is drawn from the facilitator's snapshot (templates/facilitate.html embeds it);
// the lists are drawn here, keyed by id, and updated in place so a half-written reason or
// the keyboard focus survives a live change.

import { t, tn } from "./i18n.js";
import { BoardConnection, newOpId } from "./live.js";
import { reasonLabel, summaryText } from "./moderation.js";
import { h } from "./render.js";
import { applyEvent, fromSnapshot, isOpen, timerLeft, withServerTime } from "./state.js";
import { clockText, phaseLabel, readJson, setText, throttle } from "./room.js";

const TICK_MS = 250;
const REFETCH_MS = 1000; // fairness and people: at most once a second while events arrive
const MESSAGE_MS = 8000;
const BACK_ONLINE_MS = 3000;
const TOGGLES = ["locked", "premoderation", "silent", "dots_hidden"];
const NUMBERS = ["dot_budget", "report_threshold", "slow_mode_seconds"];

const root = document.getElementById("console");
if (root && document.getElementById("console-snapshot")) start(root);

function $(id) {
  return document.getElementById(id);
}

/** What a phase means for the people in the room. */
function phaseAbout(phase) {
  switch (phase) {
    case "discuss":
      return t("phase_about_discuss");
    case "prioritise":
      return t("phase_about_prioritise");
    case "closed":
      return t("phase_about_closed");
    default:
      return t("phase_about_gather");
  }
}

function nameOf(person) {
  return (person && person.name) || t("anonymous");
}

function timeOf(iso) {
  const at = new Date(iso || "");
  if (Number.isNaN(at.getTime())) return "";
  return at.toLocaleTimeString(document.documentElement.lang || "en", {
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** Keep the keyboard focus where it was while `change` moves elements around. */
function keepingFocus(change) {
  const focused = document.activeElement;
  change();
  const moved = focused && focused !== document.body && document.activeElement !== focused;
  if (moved && focused.isConnected) focused.focus({ preventScroll: true });
}

/**
 * Draw `items` into `list` in order, one element per key: `create(item)` makes a new
 * one, `update(el, item)` brings it up to date. Elements whose key went are removed; if
 * the focus was in one, it moves to the next item's first button, or to `fallback`.
 */
function syncList(list, items, key, create, update, fallback) {
  const existing = new Map();
  for (const el of list.children) existing.set(el.dataset.key, el);
  const wanted = new Set(items.map((item) => String(key(item))));
  let lostFocus = false;
  let nextEl = null;
  for (const [k, el] of existing) {
    if (wanted.has(k)) continue;
    if (el.contains(document.activeElement)) {
      lostFocus = true;
      nextEl = el.nextElementSibling;
    }
    el.remove();
    existing.delete(k);
  }
  keepingFocus(() => {
    let cursor = list.firstElementChild;
    for (const item of items) {
      const k = String(key(item));
      let el = existing.get(k);
      if (!el) {
        el = create(item);
        el.dataset.key = k;
      }
      update(el, item);
      if (el === cursor) cursor = cursor.nextElementSibling;
      else list.insertBefore(el, cursor);
    }
  });
  if (lostFocus) {
    // What was focused has gone (approved, hidden...): on to the next item, else the heading.
    const next = nextEl && nextEl.isConnected ? nextEl.querySelector("button:not([hidden])") : null;
    if (next) next.focus();
    else fallback?.focus();
  }
}

/** An inline form opened by a button (aria-expanded), closed by Cancel or Escape. */
function disclosure(button, form) {
  const open = (yes) => {
    form.hidden = !yes;
    button.setAttribute("aria-expanded", String(yes));
    if (yes) form.querySelector("select, input, textarea")?.focus();
  };
  button.addEventListener("click", () => open(form.hidden));
  form.querySelector("button.cancel")?.addEventListener("click", () => {
    open(false);
    button.focus();
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      open(false);
      button.focus();
    }
  });
  return open;
}

function reasonSelect(id, reasons) {
  return h(
    "select",
    { id, name: "reason", required: "" },
    ...reasons.map((reason) => h("option", { value: reason }, reasonLabel(reason))),
  );
}

/** A "reason + optional note" form (reject, hide). */
function reasonForm(id, className, reasons, labels) {
  return h(
    "form",
    { class: `${className} inline-form`, id, hidden: "" },
    h("label", { for: `${id}-reason` }, labels.reason),
    reasonSelect(`${id}-reason`, reasons),
    h(
      "label",
      { for: `${id}-note` },
      labels.note,
      " ",
      h("span", { class: "hint" }, t("optional")),
    ),
    h("input", { id: `${id}-note`, name: "note", maxlength: "500", autocomplete: "off" }),
    h(
      "div",
      { class: "form-buttons" },
      h("button", { type: "submit", class: `${labels.sendClass} delete` }, labels.send),
      h("button", { type: "button", class: "cancel secondary" }, t("cancel")),
    ),
  );
}

function start(root) {
  const code = root.dataset.board;
  const reasons = JSON.parse(root.dataset.reasons || "[]");
  const boardUrl = root.dataset.boardUrl || `/b/${code}`;
  const csrf = root.dataset.csrf || "";
  let state = fromSnapshot(readJson("console-snapshot", { posts: [] }));
  let people = null; // the last GET participants answer
  let fairness = null;

  // --- telling the facilitator what happened ---------------------------------------------

  const messageEl = $("console-message");
  let messageTimer = null;
  function say(text, isError = false) {
    clearTimeout(messageTimer);
    messageEl.textContent = "";
    messageEl.classList.toggle("is-error", isError);
    // A fresh node each time, so a repeated message is read out again.
    setTimeout(() => {
      messageEl.textContent = text;
      messageTimer = setTimeout(() => setText(messageEl, ""), MESSAGE_MS);
    }, 30);
  }

  /** Send a write; the button shows it is busy; a failure is said in plain words. */
  async function act(button, eventName, payload, done) {
    if (button) {
      if (button.dataset.busy) return null;
      button.dataset.busy = "1";
      button.classList.add("is-sending");
      button.setAttribute("aria-busy", "true");
    }
    const ack = await connection.send(eventName, payload);
    if (button) {
      delete button.dataset.busy;
      button.classList.remove("is-sending");
      button.removeAttribute("aria-busy");
    }
    if (ack && ack.ok) {
      const text = done ? done(ack.data || {}) : "";
      if (text) say(text);
      return ack;
    }
    say(t("action_failed", { message: ack?.error?.message || t("failed") }), true);
    return null;
  }

  // --- the session: phase, switches, numbers ------------------------------------------------

  const phaseButtons = [...root.querySelectorAll("button.phase-button")];
  for (const button of phaseButtons) {
    button.addEventListener("click", () => {
      const phase = button.dataset.phase;
      if (phase === state.session.phase) return;
      act(button, "session.update", { phase }, () => t("phase_set", { phase: phaseLabel(phase) }));
    });
  }

  for (const name of TOGGLES) {
    const button = $(`toggle-${name}`);
    button?.addEventListener("click", () => {
      const value = !state.session[name];
      act(button, "session.update", { [name]: value }, () => toggleDone(name, value));
    });
  }

  function toggleDone(name, value) {
    if (name === "silent") return value ? t("silent_started") : t("silent_revealed");
    if (name === "dots_hidden") return value ? t("dots_now_hidden") : t("dots_revealed");
    if (name === "locked") return value ? t("board_locked") : t("board_unlocked");
    return value ? t("premoderation_on") : t("premoderation_off");
  }

  const dirty = new Set();
  for (const name of NUMBERS) {
    const form = $(`setting-${name}`);
    const input = form?.querySelector("input");
    if (!form || !input) continue;
    input.addEventListener("input", () => dirty.add(name));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = Number(input.value);
      if (!input.checkValidity() || !Number.isInteger(value)) {
        input.setAttribute("aria-invalid", "true");
        input.reportValidity();
        return;
      }
      input.removeAttribute("aria-invalid");
      const button = form.querySelector("button");
      const done = await act(button, "session.update", { [name]: value }, () =>
        t("setting_saved"),
      );
      if (done) {
        dirty.delete(name);
        drawSession();
      }
    });
  }

  function drawSession() {
    const session = state.session;
    for (const button of phaseButtons) {
      button.setAttribute("aria-pressed", String(button.dataset.phase === session.phase));
    }
    setText($("phase-now"), t("console_phase_now", { phase: phaseLabel(session.phase) }));
    setText($("phase-about"), phaseAbout(session.phase));
    root.dataset.phase = session.phase;
    const held = [...state.posts.values()].filter((p) => p.state === "silent").length;
    const words = {
      locked: [t("locked_off"), t("lock"), t("locked_on"), t("unlock")],
      premoderation: [
        t("premoderation_off_state"),
        t("premoderation_turn_on"),
        t("premoderation_on_state"),
        t("premoderation_turn_off"),
      ],
      silent: [
        t("silent_off_state"),
        t("silent_start"),
        tn("silent_on_state", held),
        t("reveal_all"),
      ],
      dots_hidden: [
        t("dots_shown_state"),
        t("hide_dots"),
        t("dots_hidden_state"),
        t("reveal_dots"),
      ],
    };
    for (const name of TOGGLES) {
      const [offState, offAction, onState, onAction] = words[name];
      const on = Boolean(session[name]);
      const row = root.querySelector(`.setting[data-setting="${name}"]`);
      if (!row) continue;
      row.dataset.on = String(on);
      setText(row.querySelector(".setting-state"), on ? onState : offState);
      setText(row.querySelector(".setting-toggle"), on ? onAction : offAction);
    }
    for (const name of NUMBERS) {
      const input = $(`setting-${name}`)?.querySelector("input");
      if (!input || dirty.has(name) || document.activeElement === input) continue;
      if (input.value !== String(session[name])) input.value = String(session[name]);
    }
  }

  // --- the timer ------------------------------------------------------------------------------

  const timerEl = $("timer-display");
  const timerStatus = $("timer-status");
  let wasRunning = false;
  function drawTimer() {
    const left = timerLeft(state);
    timerEl.dataset.state = left === null ? "none" : left > 0 ? "running" : "done";
    if (left === null) {
      setText(timerEl, clockText(0));
      timerEl.dataset.running = "false";
      timerEl.dataset.remaining = "";
      setText(timerStatus, t("timer_none"));
      wasRunning = false;
    } else {
      setText(timerEl, clockText(left));
      timerEl.dataset.running = String(left > 0);
      timerEl.dataset.remaining = String(left);
      setText(timerStatus, left > 0 ? t("timer_running") : t("timer_done"));
      if (wasRunning && left === 0) say(t("timer_done"));
      wasRunning = left > 0;
    }
    $("timer-stop").hidden = left === null;
  }
  setInterval(drawTimer, TICK_MS);

  for (const button of root.querySelectorAll("button.timer-start")) {
    button.addEventListener("click", () => startTimer(button, Number(button.dataset.seconds)));
  }
  $("timer-custom")?.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("timer-minutes");
    const minutes = Number(input.value);
    if (!input.checkValidity() || !(minutes > 0)) {
      input.setAttribute("aria-invalid", "true");
      input.reportValidity();
      return;
    }
    input.removeAttribute("aria-invalid");
    startTimer(event.submitter || null, Math.round(minutes * 60));
  });
  $("timer-stop")?.addEventListener("click", (event) => {
    act(event.currentTarget, "timer.set", { seconds: 0 }, () => t("timer_stopped"));
  });

  function startTimer(button, seconds) {
    act(button, "timer.set", { seconds }, () => t("timer_started", { time: clockText(seconds) }));
  }

  // --- the spotlight --------------------------------------------------------------------------

  function drawSpotlight() {
    const id = state.session.spotlight_post_id;
    const post = id == null ? null : state.posts.get(id);
    const current = $("spotlight-current");
    current.dataset.postId = post ? String(post.id) : "";
    if (post) {
      current.replaceChildren(t("spotlight_current"), " ", h("strong", {}, post.title));
    } else {
      setText(current, t("spotlight_none"));
    }
    $("spotlight-end").hidden = !post;
  }
  $("spotlight-end")?.addEventListener("click", (event) => {
    act(event.currentTarget, "spotlight.set", {}, () => t("spotlight_ended"));
  });

  // --- the queue: posts waiting for approval -------------------------------------------------

  function queueItem(post) {
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
    const form = reasonForm(`reject-${post.id}`, "reject-form", reasons, {
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
      act(approve, "post.approve", { post_id: post.id }, () =>
        t("queue_approved", { title: state.posts.get(post.id)?.title || post.title }),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(
        form.querySelector("button.reject-send"),
        "post.reject",
        { post_id: post.id, reason: form.elements.reason.value, note: form.elements.note.value },
        () => t("queue_rejected", { title: state.posts.get(post.id)?.title || post.title }),
      );
    });
    return item;
  }

  function authorLine(post) {
    const by = t("by_name", { name: nameOf(post.author) });
    const parts = [post.on_behalf_of ? t("entered_for", { name: post.on_behalf_of }) : by];
    if (post.created_at) parts.push(timeOf(post.created_at));
    return parts.join(" · ");
  }

  function updateQueueItem(item, post) {
    setText(item.querySelector(".post-kind"), t(`kind_${post.kind}`));
    setText(item.querySelector(".item-title"), post.title);
    const body = item.querySelector(".item-body");
    setText(body, post.body || "");
    body.hidden = !post.body;
    setText(item.querySelector(".item-meta"), authorLine(post));
  }

  function drawQueue() {
    const waiting = [...state.posts.values()]
      .filter((post) => post.state === "pending" && !post.hidden)
      .sort((a, b) => a.id - b.id);
    syncList($("queue-list"), waiting, (p) => p.id, queueItem, updateQueueItem, $("queue-heading"));
    setText($("queue-count"), String(waiting.length));
    setText($("nav-queue-count"), String(waiting.length));
    $("queue-empty").hidden = waiting.length > 0;
    setText(
      $("queue-empty"),
      state.session.premoderation ? t("queue_empty") : t("queue_empty_off"),
    );
  }

  // --- reported posts ---------------------------------------------------------------------------

  function reportedItem(post) {
    const id = `reported-${post.id}`;
    const hide = h(
      "button",
      {
        type: "button",
        class: "hide delete",
        "aria-expanded": "false",
        "aria-controls": `rhide-${post.id}`,
        "aria-describedby": `${id}-title`,
      },
      t("hide"),
    );
    const form = hideForm(`rhide-${post.id}`, post.id);
    const item = h(
      "li",
      { class: "reported-item", id, "data-post-id": String(post.id) },
      h("p", { class: "item-title", id: `${id}-title` }),
      h("p", { class: "report-count" }),
      h("p", { class: "hint item-meta" }),
      h("div", { class: "item-actions" }, hide),
      form,
    );
    disclosure(hide, form);
    return item;
  }

  function hideForm(id, postId) {
    const form = reasonForm(id, "hide-form", reasons, {
      reason: t("why_hide"),
      note: t("hide_note"),
      send: t("hide_send"),
      sendClass: "hide-send",
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(
        form.querySelector("button.hide-send"),
        "post.hide",
        { post_id: postId, reason: form.elements.reason.value, note: form.elements.note.value },
        () => t("post_hidden"),
      );
    });
    return form;
  }

  function reportsOn(post) {
    return Number(state.staff?.reports?.[String(post.id)] || 0);
  }

  function drawReported() {
    const reported = [...state.posts.values()]
      .filter((post) => !post.hidden && reportsOn(post) > 0)
      .sort((a, b) => reportsOn(b) - reportsOn(a) || b.id - a.id);
    syncList(
      $("reported-list"),
      reported,
      (p) => p.id,
      reportedItem,
      (item, post) => {
        setText(item.querySelector(".item-title"), post.title);
        setText(item.querySelector(".report-count"), tn("reported_by", reportsOn(post)));
        setText(item.querySelector(".item-meta"), authorLine(post));
      },
      $("reported-heading"),
    );
    $("reported-empty").hidden = reported.length > 0;
    const threshold = state.session.report_threshold;
    setText(
      $("reported-hint"),
      threshold ? tn("report_threshold_on", threshold) : t("report_threshold_off"),
    );
  }

  // --- hidden posts (the server drew them; kept live here, same markup) ------------------------

  function hiddenItem(post) {
    const id = `hidden-${post.id}`;
    const form = h(
      "form",
      { method: "post", action: `${boardUrl}/posts/${post.id}/restore`, class: "restore-form" },
      h("input", { type: "hidden", name: "csrf_token", value: csrf }),
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
        h("a", { href: `${boardUrl}#post-${post.id}` }),
      ),
      h("p", { class: "hint" }),
      form,
    );
  }

  function updateHiddenItem(item, post) {
    setText(item.querySelector(".hidden-post-title a"), post.title);
    const reports = reportsOn(post);
    const why = [reasonLabel(post.hidden.reason), nameOf(post.author)];
    if (reports) why.push(tn("reported_by", reports));
    setText(item.querySelector(".hint"), why.join(" · "));
  }

  const hiddenSection = $("hidden");
  hiddenSection?.addEventListener("submit", (event) => {
    const form = event.target.closest("form.restore-form");
    if (!form) return;
    event.preventDefault();
    const postId = Number(form.closest(".hidden-post").id.replace("hidden-", ""));
    act(form.querySelector("button"), "post.restore", { post_id: postId }, () =>
      t("post_restored"),
    );
  });

  function drawHidden() {
    if (!hiddenSection) return;
    const hidden = [...state.posts.values()].filter((p) => p.hidden).sort((a, b) => b.id - a.id);
    const list = hiddenSection.querySelector(".hidden-list");
    // The server drew the first items: adopt them by their id.
    for (const el of list.children) el.dataset.key ||= el.id.replace("hidden-", "");
    syncList(list, hidden, (p) => p.id, hiddenItem, updateHiddenItem, $("hidden-heading"));
    hiddenSection.querySelector(".hidden-empty").hidden = hidden.length > 0;
  }

  // --- every post: pin, spotlight, merge, hide ---------------------------------------------------

  function consolePost(post) {
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
    const hideFormEl = hideForm(`hide-${post.id}`, post.id);
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
      const pinned = !state.posts.get(post.id)?.pinned;
      act(pin, "post.pin", { post_id: post.id, pinned }, () =>
        pinned ? t("pinned_done") : t("unpinned_done"),
      );
    });
    spotlight.addEventListener("click", () => {
      if (state.session.spotlight_post_id === post.id) {
        act(spotlight, "spotlight.set", {}, () => t("spotlight_ended"));
      } else {
        act(spotlight, "spotlight.set", { post_id: post.id }, () => t("spotlight_set"));
      }
    });
    mergeForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const into = Number(mergeForm.elements.into_id.value);
      if (!into) return;
      const send = mergeForm.querySelector("button.merge-send");
      act(send, "post.merge", { post_id: post.id, into_id: into }, () =>
        t("merged_done", { title: state.posts.get(into)?.title || "" }),
      );
    });
    return item;
  }

  function badges(post) {
    const out = [];
    if (post.pinned) out.push(h("span", { class: "badge badge-pinned" }, t("pinned")));
    if (state.session.spotlight_post_id === post.id) {
      out.push(h("span", { class: "badge badge-spotlight" }, t("in_spotlight")));
    }
    if (post.state === "silent") out.push(h("span", { class: "badge" }, t("held_back")));
    return out;
  }

  function dotsOn(post) {
    const total = state.staff?.dot_totals?.[String(post.id)];
    return total ?? post.dot_count ?? 0;
  }

  function updateConsolePost(item, post, targets) {
    const kind = item.querySelector(".post-kind");
    const spotlit = state.session.spotlight_post_id === post.id;
    const signature = [post.pinned, spotlit, post.state, post.kind, post.tag].join("|");
    if (kind.dataset.signature !== signature) {
      kind.dataset.signature = signature;
      const label = [t(`kind_${post.kind}`), post.tag ? ` · ${post.tag}` : ""].join("");
      kind.replaceChildren(...badges(post).flatMap((b) => [b, " "]), label);
    }
    item.dataset.pinned = String(Boolean(post.pinned));
    item.dataset.spotlight = String(spotlit);
    setText(item.querySelector(".item-title"), post.title);
    setText(item.querySelector(".item-meta"), authorLine(post));
    const counts = [tn("supporters_count", post.support_count || 0)];
    if (post.kind === "idea" || post.kind === "need") {
      const dots = tn("dot_count", dotsOn(post));
      counts.push(state.session.dots_hidden ? t("dots_hidden_from_others", { dots }) : dots);
    }
    if (post.comments?.length) counts.push(tn("comments_count", post.comments.length));
    setText(item.querySelector(".item-counts"), counts.join(" · "));
    item.querySelector("button.pin").setAttribute("aria-pressed", String(Boolean(post.pinned)));
    item.querySelector("button.spotlight-toggle").setAttribute("aria-pressed", String(spotlit));
    // Held back for the reveal: only Hide until everyone can see it.
    const open = isOpen(post);
    item.querySelector("button.pin").hidden = !open;
    item.querySelector("button.spotlight-toggle").hidden = !open;
    // `targets` are the open posts, this one among them.
    item.querySelector("button.merge").hidden = !open || targets.length < 2;
    const mergeForm = item.querySelector(".merge-form");
    if (!mergeForm.hidden) fillMergeTargets(mergeForm, post.id);
  }

  let mergeTargets = [];
  /** Every other post everyone can see, newest first, as choices; the choice made stays. */
  function fillMergeTargets(form, postId) {
    const select = form.querySelector("select");
    const options = mergeTargets.filter((p) => p.id !== postId);
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

  function drawPosts() {
    const shown = [...state.posts.values()]
      .filter((post) => !post.hidden && ["visible", "silent", undefined].includes(post.state))
      .sort((a, b) => Number(Boolean(b.pinned)) - Number(Boolean(a.pinned)) || b.id - a.id);
    const targets = shown.filter(isOpen);
    mergeTargets = [...targets].sort((a, b) => b.id - a.id);
    syncList(
      $("console-posts"),
      shown,
      (p) => p.id,
      consolePost,
      (item, post) => updateConsolePost(item, post, targets),
      $("posts-heading"),
    );
    setText($("posts-count"), String(shown.length));
    $("posts-empty").hidden = shown.length > 0;
  }

  // --- a post entered for someone (a paper card) ---------------------------------------------

  const assist = $("assist-form");
  assist?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = assist.elements;
    for (const field of [fields.title, fields.on_behalf_of]) {
      field.toggleAttribute("aria-invalid", !field.value.trim());
    }
    if (!fields.title.value.trim() || !fields.on_behalf_of.value.trim()) {
      (fields.title.value.trim() ? fields.on_behalf_of : fields.title).focus();
      say(t("assist_missing"), true);
      return;
    }
    const name = fields.on_behalf_of.value.trim();
    const done = await act(
      assist.querySelector("button[type=submit]"),
      "post.create",
      {
        kind: fields.kind.value,
        title: fields.title.value,
        body: fields.body.value,
        on_behalf_of: name,
      },
      () => t("assist_done", { name }),
    );
    if (done) {
      fields.title.value = "";
      fields.body.value = "";
      fields.on_behalf_of.value = "";
      fields.title.removeAttribute("aria-invalid");
      fields.on_behalf_of.removeAttribute("aria-invalid");
      fields.title.focus();
    }
  });

  // --- people ------------------------------------------------------------------------------------

  function personItem(person) {
    const id = `person-${person.id}`;
    const mute = h(
      "button",
      { type: "button", class: "mute secondary", "aria-describedby": `${id}-name` },
      t("mute"),
    );
    const remove = h(
      "button",
      {
        type: "button",
        class: "remove delete",
        "aria-expanded": "false",
        "aria-controls": `${id}-confirm`,
        "aria-describedby": `${id}-name`,
      },
      t("remove"),
    );
    const yes = h("button", { type: "button", class: "remove-yes delete" }, t("remove_yes"));
    const no = h("button", { type: "button", class: "remove-cancel secondary" }, t("cancel"));
    const confirm = h(
      "div",
      { class: "remove-confirm", id: `${id}-confirm`, hidden: "" },
      h("p", { class: "remove-question" }),
      h("div", { class: "form-buttons" }, yes, no),
    );
    const item = h(
      "li",
      { class: "person", id, "data-participant-id": String(person.id) },
      h(
        "p",
        { class: "person-line" },
        h("span", { class: "person-name", id: `${id}-name`, tabindex: "-1" }),
        h("span", { class: "person-badges" }),
      ),
      h("p", { class: "hint person-detail" }),
      h("div", { class: "item-actions" }, mute, remove),
      confirm,
    );
    const openConfirm = (open) => {
      confirm.hidden = !open;
      remove.setAttribute("aria-expanded", String(open));
      (open ? yes : remove).focus();
    };
    remove.addEventListener("click", () => openConfirm(confirm.hidden));
    no.addEventListener("click", () => openConfirm(false));
    confirm.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        openConfirm(false);
      }
    });
    mute.addEventListener("click", async () => {
      const muted = item.dataset.muted !== "true";
      const who = item.querySelector(".person-name").textContent;
      const done = await act(mute, "participant.mute", { participant_id: person.id, muted }, () =>
        muted ? t("muted_done", { name: who }) : t("unmuted_done", { name: who }),
      );
      if (done) loadPeople();
    });
    yes.addEventListener("click", async () => {
      const who = item.querySelector(".person-name").textContent;
      const done = await act(yes, "participant.remove", { participant_id: person.id }, () =>
        t("removed_done", { name: who }),
      );
      if (done) {
        confirm.hidden = true;
        remove.setAttribute("aria-expanded", "false");
        item.querySelector(".person-name").focus();
        loadPeople();
      }
    });
    return item;
  }

  function updatePerson(item, person) {
    const muted = person.muted || (state.staff?.muted_ids || []).includes(person.id);
    const gone = person.removed || person.revoked;
    const staff = person.role === "facilitator";
    item.dataset.muted = String(Boolean(muted));
    item.dataset.removed = String(Boolean(gone));
    item.dataset.role = person.role;
    const name = nameOf(person);
    setText(item.querySelector(".person-name"), name);
    const labels = [];
    if (state.me && person.id === state.me.id) labels.push(t("you"));
    if (staff) labels.push(t("facilitator"));
    if (muted && !gone) labels.push(t("muted"));
    if (person.removed) labels.push(t("person_removed"));
    if (person.revoked) labels.push(t("link_withdrawn_badge"));
    const badgeBox = item.querySelector(".person-badges");
    const signature = labels.join("|");
    if (badgeBox.dataset.signature !== signature) {
      badgeBox.dataset.signature = signature;
      badgeBox.replaceChildren(...labels.flatMap((l) => [" ", h("span", { class: "badge" }, l)]));
    }
    const detail = [tn("posts_count", person.posts || 0)];
    if (person.joined_at) detail.push(t("joined_at", { time: timeOf(person.joined_at) }));
    setText(item.querySelector(".person-detail"), detail.join(" · "));
    const actions = item.querySelector(".item-actions");
    actions.hidden = staff || gone;
    setText(item.querySelector("button.mute"), muted ? t("unmute") : t("mute"));
    setText(item.querySelector(".remove-question"), t("remove_question", { name }));
    if (gone) item.querySelector(".remove-confirm").hidden = true;
  }

  function drawPeople() {
    if (!people) return;
    syncList($("people-list"), people, (p) => p.id, personItem, updatePerson, $("people-heading"));
    const here = people.filter((p) => !p.removed && !p.revoked);
    setText($("people-count"), String(here.length));
    setText($("people-status"), "");
  }

  async function getJson(path) {
    const response = await fetch(`/api/v1/boards/${encodeURIComponent(code)}/${path}`, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  async function loadPeople() {
    try {
      people = (await getJson("participants")).participants || [];
      drawPeople();
    } catch {
      setText($("people-status"), t("load_failed"));
    }
  }

  // --- fairness: who is being heard -----------------------------------------------------------

  function bar(el, share) {
    if (el) el.style.width = `${Math.round(Math.max(0, Math.min(1, share)) * 100)}%`;
  }

  function percent(share) {
    return Math.round((share || 0) * 100);
  }

  function drawFairness() {
    const f = fairness;
    if (!f) return;
    setText($("fair-joined"), String(f.joined));
    setText($("fair-posted"), String(f.posted));
    setText($("fair-not-posted"), String(f.not_posted));
    bar($("fair-posted-bar"), f.joined ? f.posted / f.joined : 0);
    const names = f.not_posted_names || [];
    const anonymous = Math.max(0, f.not_posted - names.length);
    let waiting;
    if (!f.joined) waiting = t("fair_nobody_joined");
    else if (!f.not_posted) waiting = t("fair_everyone_posted");
    else {
      const parts = [];
      if (names.length) parts.push(t("fair_not_posted_names", { names: names.join(", ") }));
      if (anonymous) parts.push(tn("fair_not_posted_anonymous", anonymous));
      waiting = parts.join(" ");
    }
    setText($("fair-not-posted-names"), waiting);
    const top = f.top_tenth || { people: 0, posts: 0, share: 0 };
    setText($("fair-top-percent"), f.posts ? `${percent(top.share)}%` : "–");
    setText(
      $("fair-top-share"),
      f.posts
        ? tn("fair_top_share", top.people, { percent: percent(top.share) })
        : t("fair_no_posts"),
    );
    bar($("fair-top-bar"), f.posts ? top.share : 0);
    const supports = f.supports || {};
    setText($("fair-supports"), String(supports.average ?? 0));
    setText(
      $("fair-supports-detail"),
      t("fair_supports_detail", {
        total: supports.total ?? 0,
        people: supports.people ?? 0,
        most: supports.most ?? 0,
      }),
    );
    const dots = f.dots || {};
    setText($("fair-dots"), String(dots.average ?? 0));
    setText(
      $("fair-dots-detail"),
      t("fair_dots_detail", {
        total: dots.total ?? 0,
        budget: dots.budget ?? 0,
        all: dots.all_spent ?? 0,
      }),
    );
    setText($("fair-assisted"), String(f.assisted_posts ?? 0));
    setText($("fair-status"), "");
    $("fairness").dataset.loaded = "true";
  }

  async function loadFairness() {
    try {
      fairness = await getJson("fairness");
      drawFairness();
    } catch {
      setText($("fair-status"), t("load_failed"));
    }
  }

  const refetchFairness = throttle(loadFairness, REFETCH_MS);
  const refetchPeople = throttle(loadPeople, REFETCH_MS);
  const PEOPLE_EVENTS = new Set([
    "participant.joined",
    "participant.renamed",
    "participant.muted",
    "participant.removed",
    "facilitator.revoked",
    "post.created",
    "post.deleted",
    "post.approved",
    "post.rejected",
    "post.merged",
  ]);

  // --- drawing it all ----------------------------------------------------------------------------

  let drawPending = false;
  function draw() {
    if (drawPending) return;
    drawPending = true;
    requestAnimationFrame(() => {
      drawPending = false;
      drawSession();
      drawTimer();
      drawSpotlight();
      drawQueue();
      drawReported();
      drawHidden();
      drawPosts();
      drawPeople();
      const summary = $("moderation-summary");
      if (summary) setText(summary, summaryText(state.moderation) || t("no_posts_hidden"));
    });
  }

  function show(next) {
    state = next;
    draw();
  }

  // --- the connection ----------------------------------------------------------------------------

  const connectionEl = $("connection");
  let statusTimer = null;
  let wasOffline = false;
  function setConnection(message, kind) {
    clearTimeout(statusTimer);
    statusTimer = null;
    setText(connectionEl, message);
    connectionEl.className = `connection${kind ? ` connection-${kind}` : ""}`;
  }

  const connection = new BoardConnection({
    board: code,
    seq: state.seq,
    onClock(iso) {
      state = withServerTime(state, iso);
    },
    onEvent(envelope) {
      const before = state;
      show(applyEvent(state, envelope));
      refetchFairness();
      if (PEOPLE_EVENTS.has(envelope.type)) refetchPeople();
      const me = state.me?.id;
      if (envelope.type === "facilitator.revoked" && envelope.data?.participant_id === me) {
        // My own link was withdrawn: nothing here works any more.
        setConnection(t("link_withdrawn"), "error");
        connection.close();
        return;
      }
      const post = envelope.data?.post;
      const arrived = envelope.type === "post.created" && post && !before.posts.has(post.id);
      if (arrived && post.state === "pending") {
        say(t("waiting_arrived", { title: post.title }));
      }
    },
    onSnapshot(snapshot) {
      show(fromSnapshot(snapshot));
      refetchFairness();
      refetchPeople();
    },
    onStatus(status) {
      connectionEl.dataset.state = status === "refused" ? "offline" : status;
      if (status === "offline") {
        wasOffline = true;
        setConnection(t("connection_lost"), "offline");
      } else if (status === "online") {
        if (wasOffline) {
          wasOffline = false;
          setConnection(t("back_online"), "online");
          statusTimer = setTimeout(() => setConnection("", ""), BACK_ONLINE_MS);
        } else {
          setConnection("", "");
        }
      } else if (status === "refused") {
        setConnection(t("live_unavailable"), "error");
      }
    },
  }).start();

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) connection.resync();
  });

  draw();
  loadPeople();
  loadFairness();
}
