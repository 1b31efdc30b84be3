// The console's DOM helpers: lists kept in place by key (a half-written reason or the
// keyboard focus survives a live change), inline forms opened by a button, reason forms.

import { reasonLabel } from "./moderation.js";
import { h } from "./render.js";
import { t } from "./i18n.js";

export function $(id) {
  return document.getElementById(id);
}

/** The page's language, for times of day. */
export function pageLang() {
  return document.documentElement.lang || "en";
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
export function syncList(list, items, key, create, update, fallback) {
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
export function disclosure(button, form) {
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
export function reasonForm(id, className, reasons, labels) {
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

/** The hide form (reason and note) for a post, sending post.hide. */
export function hideForm(ctx, id, postId) {
  const form = reasonForm(id, "hide-form", ctx.reasons, {
    reason: t("why_hide"),
    note: t("hide_note"),
    send: t("hide_send"),
    sendClass: "hide-send",
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ctx.act(
      form.querySelector("button.hide-send"),
      "post.hide",
      { post_id: postId, reason: form.elements.reason.value, note: form.elements.note.value },
      () => t("post_hidden"),
    );
  });
  return form;
}

/** A number field's value, or null after marking it invalid (and saying why). */
export function checkedNumber(input, valid) {
  const value = Number(input.value);
  if (!input.checkValidity() || !valid(value)) {
    input.setAttribute("aria-invalid", "true");
    input.reportValidity();
    return null;
  }
  input.removeAttribute("aria-invalid");
  return value;
}
