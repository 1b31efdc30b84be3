// A proposal's page: the guided form saved through the JSON API, and the page
// kept live from the board's events. Without JavaScript every form posts to the page's
// own routes and the page comes back; with it, nothing reloads.
//
// Live: on a proposal.changed event for this proposal (or a fresh snapshot after a long
// time away), ask the server for this page again and put its #proposal-live in place of
// ours: status, history, the council's decision, evidence, downloads, webhook deliveries.
// The server draws; this module never draws a decision itself, so the page cannot say
// something the export does not. When the state changed, #proposal-actions and
// #proposal-edit are replaced too (a sent proposal has no form); otherwise the form's
// fields the person has not touched take the saved values, and what they typed stays.
//
// Also: the committee paper's "Print" button, and apiWrite(), the one way the pages write
// to /api/v1 with the session cookie and the page's CSRF token (group.js uses it too).

import { Announcer } from "./announce.js";
import { connectionBanner } from "./banner.js";
import { t } from "./i18n.js";
import { BoardConnection, newOpId } from "./live.js";
import { h } from "./render.js";

const REFRESH_MS = 300;
const COUNT_SPOKEN_MS = 1000;
const TEXT = [
  "title",
  "short_summary",
  "summary",
  "what_we_want",
  "ask_details",
  "involved",
  "ward",
  "address",
  "cost_notes",
  "options",
  "reasons",
  "risks",
  "legal",
  "benefits",
  "left_out",
];
const MONEY = ["amount_gbp", "capital_gbp", "revenue_gbp"];
const DEGREES = ["latitude", "longitude"];
const FIELDS = [...TEXT, ...MONEY, ...DEGREES, "asks", "route"];

/**
 * POST (or PATCH...) `body` as JSON to /api/v1/`path` with this page's cookie and CSRF
 * token. Resolves with {ok: true, status, data} or {ok: false, status, error: {code,
 * message, fields?}}; never rejects (no network is an error like any other).
 */
export async function apiWrite(path, body = {}, method = "POST") {
  const token = document.querySelector('meta[name="csrf-token"]')?.content || "";
  try {
    const response = await fetch(`/api/v1/${path}`, {
      method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": token,
      },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) return { ok: true, status: response.status, data: answer };
    return {
      ok: false,
      status: response.status,
      error: answer.error || { code: "internal", message: t("failed") },
    };
  } catch {
    return { ok: false, status: 0, error: { code: "offline", message: t("proposal_offline") } };
  }
}

/** Where a proposal is, in a word or two (proposal_pages.STATE_LABELS says the same). */
export function proposalStateLabel(state) {
  switch (state) {
    case "draft":
      return t("proposal_state_draft");
    case "submitted":
      return t("proposal_state_submitted");
    case "received":
      return t("proposal_state_received");
    case "under_review":
      return t("proposal_state_under_review");
    case "decided":
      return t("proposal_state_decided");
    case "withdrawn":
      return t("proposal_state_withdrawn");
    default:
      return String(state || "");
  }
}

/** The council's answer in plain words (proposal_pages.OUTCOME_LABELS). */
export function proposalOutcomeLabel(outcome) {
  switch (outcome) {
    case "accepted":
      return t("proposal_outcome_accepted");
    case "accepted_with_conditions":
      return t("proposal_outcome_accepted_with_conditions");
    case "declined":
      return t("proposal_outcome_declined");
    case "referred":
      return t("proposal_outcome_referred");
    default:
      return String(outcome || "");
  }
}

/** "Decided: Accepted with conditions", "Sent to the council"...: a proposal's public shape. */
export function proposalStateWords(proposal) {
  const state = proposalStateLabel(proposal?.state);
  const outcome = proposal?.decision?.outcome;
  return outcome ? `${state}: ${proposalOutcomeLabel(outcome)}` : state;
}

const printButton = document.getElementById("print-paper");
if (printButton) {
  printButton.hidden = false;
  printButton.addEventListener("click", () => window.print());
}

const page = document.getElementById("proposal-page");
if (page) start(page);

function capitalised(text) {
  const said = String(text || "");
  return said.charAt(0).toUpperCase() + said.slice(1);
}

function start(root) {
  const $ = (id) => document.getElementById(id);
  const code = root.dataset.board;
  const proposalId = Number(root.dataset.proposal);
  const base = `boards/${encodeURIComponent(code)}/proposals/${proposalId}`;
  const announcer = new Announcer($("announcer"));
  let baseline = {};

  // --- the guided form --------------------------------------------------------------

  const form = () => $("proposal-form");

  /** A field as comparable text: what the person sees, whatever it means. */
  function read(owner, name) {
    if (name === "asks") {
      return [...owner.querySelectorAll('input[name="asks"]')]
        .filter((box) => box.checked)
        .map((box) => box.value)
        .join(",");
    }
    if (name === "route") {
      return owner.querySelector('input[name="route"]:checked')?.value || "";
    }
    const control = owner.querySelector(`[name="${name}"]`);
    return control ? control.value : "";
  }

  function write(owner, name, from) {
    if (name === "asks" || name === "route") {
      for (const box of owner.querySelectorAll(`input[name="${name}"]`)) {
        const twin = from.querySelector(`input[name="${name}"][value="${box.value}"]`);
        box.checked = Boolean(twin?.checked);
      }
      return;
    }
    const control = owner.querySelector(`[name="${name}"]`);
    const twin = from.querySelector(`[name="${name}"]`);
    if (control && twin) control.value = twin.value;
  }

  function readAll(owner) {
    return Object.fromEntries(FIELDS.map((name) => [name, read(owner, name)]));
  }

  /** "£1,850.50" is 1850.5; empty is null; other text goes as typed, for the server to refuse. */
  function pounds(raw) {
    const cleaned = raw.replace(/[£,\s]/g, "");
    if (!cleaned) return null;
    const value = Number(cleaned);
    return Number.isFinite(value) ? value : raw;
  }

  /** What the API takes for one field, from its text. */
  function valueOf(name, text) {
    if (name === "asks") return text ? text.split(",") : [];
    if (MONEY.includes(name)) return pounds(text);
    if (DEGREES.includes(name)) return text.trim() === "" ? null : Number(text);
    return text;
  }

  function setupForm() {
    const owner = form();
    if (!owner) return;
    baseline = readAll(owner);
    showMoney();
    countSummary(false);
    clearErrors();
  }

  function showMoney() {
    const owner = form();
    const money = owner?.querySelector('input[name="asks"][value="money"]');
    if (money) $("money-ask").hidden = !money.checked;
  }

  let countTimer = null;
  function countSummary(speak = true) {
    const field = $("proposal-short_summary");
    if (!field) return;
    const max = Number(field.getAttribute("maxlength")) || 125;
    const said = t("proposal_chars", { count: field.value.length, max });
    $("short_summary-count").textContent = said;
    clearTimeout(countTimer);
    if (speak) {
      countTimer = setTimeout(() => {
        $("short_summary-count-live").textContent = said;
      }, COUNT_SPOKEN_MS);
    }
  }

  function status(text) {
    const box = $("save-status");
    if (box) box.textContent = text;
  }

  function clearErrors(within = root) {
    for (const box of within.querySelectorAll(".field-error")) {
      box.hidden = true;
      box.textContent = "";
    }
    for (const field of within.querySelectorAll(".field.has-error")) {
      field.classList.remove("has-error");
    }
    for (const control of within.querySelectorAll('[aria-invalid="true"]')) {
      control.removeAttribute("aria-invalid");
    }
    const summary = $("proposal-errors");
    if (summary && within.contains(summary)) summary.hidden = true;
  }

  /** The server's refusal next to each field it names, and in a list above the form. */
  function showErrors(error, { summary = true } = {}) {
    const fields = error?.fields || {};
    const items = [];
    for (const [name, message] of Object.entries(fields)) {
      const box = $(`error-${name}`);
      if (box) {
        box.textContent = capitalised(message);
        box.hidden = false;
      }
      const field = $(`field-${name}`) || (name === "contact" ? $("contact") : null);
      field?.classList.add("has-error");
      // A missing contact is the section's problem, not one of its boxes'.
      const boxes = field?.classList.contains("field")
        ? field.querySelectorAll("input, textarea, select")
        : [];
      for (const control of boxes) {
        if (control.type !== "hidden") control.setAttribute("aria-invalid", "true");
      }
      const label = field?.dataset.label || name;
      const link = h("a", { href: `#${field ? field.id : ""}` }, `${label}: ${message}`);
      items.push(h("li", {}, link));
    }
    const box = $("proposal-errors");
    if (!summary || !box) return;
    $("proposal-errors-message").textContent = error?.message || t("failed");
    $("proposal-errors-list").replaceChildren(...items);
    box.hidden = false;
    box.focus();
  }

  /** Numbers the browser could not read (a number field with letters in it). */
  function unreadable(owner) {
    const bad = {};
    for (const name of DEGREES) {
      const control = owner.querySelector(`[name="${name}"]`);
      if (control?.validity?.badInput) bad[name] = t("proposal_number_needed");
    }
    return bad;
  }

  let saving = false;
  /** Save what changed since the last save or load; true when there was nothing to refuse. */
  async function save({ quiet = false } = {}) {
    const owner = form();
    if (!owner || saving) return false;
    clearErrors(owner);
    const bad = unreadable(owner);
    if (Object.keys(bad).length) {
      showErrors({ message: t("proposal_check_numbers"), fields: bad });
      return false;
    }
    const now = readAll(owner);
    const changed = FIELDS.filter((name) => now[name] !== baseline[name]);
    if (changed.length === 0) {
      if (!quiet) status(t("proposal_nothing_to_save"));
      return true;
    }
    const changes = Object.fromEntries(changed.map((name) => [name, valueOf(name, now[name])]));
    if (changed.includes("asks") && !changes.asks.includes("money")) changes.amount_gbp = null;
    if ("route" in changes && !changes.route) delete changes.route; // a route is never unset
    saving = true;
    status(t("proposal_saving"));
    const ack = await apiWrite(base, { op_id: newOpId(), ...changes }, "PATCH");
    saving = false;
    if (!ack.ok) {
      status(t("proposal_not_saved"));
      showErrors(ack.error);
      return false;
    }
    for (const name of changed) baseline[name] = now[name];
    status(t("proposal_saved"));
    return true;
  }

  async function submit() {
    if (!(await save({ quiet: true }))) return;
    status(t("proposal_sending"));
    const ack = await apiWrite(`${base}/submit`, { op_id: newOpId() });
    if (!ack.ok) {
      status(t("proposal_not_sent"));
      showErrors(ack.error);
      return;
    }
    announcer.say(t("proposal_sent"));
    await refresh();
  }

  async function volunteer(contactForm) {
    const fields = contactForm.elements;
    const said = $("contact-status");
    clearErrors(contactForm);
    const missing = $("error-contact");
    if (missing) missing.hidden = true;
    if (!fields.consent.checked) {
      showErrors({ fields: { consent: t("proposal_consent_needed") } }, { summary: false });
      fields.consent.focus();
      return;
    }
    said.textContent = t("proposal_saving");
    const ack = await apiWrite(`${base}/contact`, {
      op_id: newOpId(),
      name: fields.name.value,
      email: fields.email.value,
      consent: true,
    });
    if (!ack.ok) {
      said.textContent = ack.error?.message || t("failed");
      showErrors(ack.error, { summary: false });
      return;
    }
    said.textContent = t("proposal_contact_saved");
    await refresh();
  }

  async function stopBeingContact(stopForm) {
    const fields = stopForm.elements;
    const ack = await apiWrite(`${base}/contact`, {
      op_id: newOpId(),
      name: fields.name.value,
      email: fields.email.value,
      consent: false,
    });
    if (!ack.ok) return formError(stopForm, ack.error);
    announcer.say(t("proposal_contact_stopped"));
    await refresh();
    $("contact-now-heading")?.focus();
  }

  async function withdraw(withdrawForm) {
    const ack = await apiWrite(`${base}/withdraw`, {
      op_id: newOpId(),
      note: withdrawForm.elements.note.value,
    });
    if (!ack.ok) return formError(withdrawForm, ack.error);
    announcer.say(t("proposal_withdrawn"));
    await refresh();
  }

  function formError(owner, error) {
    let box = owner.querySelector(".form-error");
    if (!box) {
      box = h("p", { class: "notice notice-error form-error", role: "alert" });
      owner.append(box);
    }
    box.textContent = error?.message || t("failed");
  }

  root.addEventListener("submit", (event) => {
    const target = event.target;
    if (target.id === "proposal-form") {
      event.preventDefault();
      if (event.submitter?.value === "submit") submit();
      else save();
    } else if (target.id === "contact-form") {
      event.preventDefault();
      volunteer(target);
    } else if (target.id === "contact-stop-form") {
      event.preventDefault();
      stopBeingContact(target);
    } else if (target.id === "withdraw-form") {
      event.preventDefault();
      withdraw(target);
    }
  });

  root.addEventListener("change", (event) => {
    if (event.target.name === "asks") showMoney();
  });
  root.addEventListener("input", (event) => {
    if (event.target.id === "proposal-short_summary") countSummary();
    if (event.target.closest?.("#proposal-form")) status(t("proposal_unsaved"));
  });

  // --- live -------------------------------------------------------------------------

  function swap(id, fresh) {
    const current = $(id);
    const next = fresh.getElementById(id);
    if (!current || !next || current.innerHTML === next.innerHTML) return false;
    const open = [...current.querySelectorAll("details[open][id]")].map((d) => d.id);
    current.replaceChildren(...next.childNodes);
    for (const opened of open) $(opened)?.setAttribute("open", "");
    return true;
  }

  function stateWords() {
    const state = $("proposal-state")?.textContent || "";
    const outcome = $("proposal-outcome")?.textContent;
    return outcome ? `${state}: ${outcome}` : state;
  }

  let refreshing = null;
  let again = false;
  /** Ask for this page again and take the server's drawing of what changed. */
  function refresh() {
    if (refreshing) {
      again = true;
      return refreshing;
    }
    refreshing = load().finally(() => {
      refreshing = null;
      if (again) {
        again = false;
        refresh();
      }
    });
    return refreshing;
  }

  async function load() {
    let fresh;
    try {
      const response = await fetch(window.location.pathname, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (!response.ok) return;
      fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch {
      return; // the next change tries again
    }
    const freshRoot = fresh.getElementById("proposal-page");
    if (!freshRoot) return;
    for (const id of ["proposal-title", "proposal-short"]) {
      const said = fresh.getElementById(id)?.textContent;
      if (said !== undefined && $(id) && $(id).textContent !== said) $(id).textContent = said;
    }
    swap("proposal-live", fresh);
    if (freshRoot.dataset.state !== root.dataset.state) {
      const focused = document.activeElement;
      const hadFocus = ["proposal-edit", "proposal-actions"].some((id) =>
        $(id)?.contains(focused),
      );
      swap("proposal-actions", fresh);
      swap("proposal-edit", fresh);
      root.dataset.state = freshRoot.dataset.state;
      root.dataset.editable = freshRoot.dataset.editable;
      setupForm();
      if (hadFocus) {
        const heading = $("status-heading");
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
      announcer.say(t("proposal_now", { state: stateWords() }));
      return;
    }
    // Still the same state: the fields nobody here touched take the saved values.
    const owner = form();
    const freshForm = fresh.getElementById("proposal-form");
    if (owner && freshForm) {
      const now = readAll(owner);
      for (const name of FIELDS) {
        const saved = read(freshForm, name);
        if (now[name] === baseline[name] && saved !== now[name]) write(owner, name, freshForm);
        if (now[name] === baseline[name]) baseline[name] = saved;
      }
      showMoney();
      countSummary(false);
    }
  }

  // --- the connection banner --------------------------------------------------------

  const onStatus = connectionBanner($("connection"), code, { onBack: () => refresh() });


  let timer = null;
  function refreshSoon() {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      refresh();
    }, REFRESH_MS);
  }

  const connection = new BoardConnection({
    board: code,
    seq: Number(root.dataset.seq),
    onEvent(envelope) {
      if (envelope.type === "proposal.changed" && envelope.data?.proposal?.id === proposalId) {
        refreshSoon();
      }
    },
    onSnapshot: refreshSoon,
    onStatus,
  }).start();

  window.addEventListener("offline", () => connection.pause());
  window.addEventListener("online", () => connection.resume());
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) connection.resync();
  });

  setupForm();
}
