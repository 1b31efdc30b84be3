// Telling the facilitator what happened, and sending a write: the button shows it is
// busy, a success is said when the ack comes, a failure in plain words. Every change
// comes back as an event, like everyone else's, so two facilitators' consoles agree.

import { t } from "./i18n.js";
import { setText } from "./room.js";

const MESSAGE_MS = 8000;

/** say(text, isError) into the console's live message line. */
export function messenger(messageEl) {
  let messageTimer = null;
  return function say(text, isError = false) {
    clearTimeout(messageTimer);
    messageEl.textContent = "";
    messageEl.classList.toggle("is-error", isError);
    // A fresh node each time, so a repeated message is read out again.
    setTimeout(() => {
      messageEl.textContent = text;
      messageTimer = setTimeout(() => setText(messageEl, ""), MESSAGE_MS);
    }, 30);
  };
}

/**
 * act(button, eventName, payload, done): send a write over `connection()`; resolves with
 * the ack when it succeeded (done(data) says what to tell), else null. A busy button
 * ignores more clicks until the answer is in.
 */
export function actor(connection, say) {
  return async function act(button, eventName, payload, done) {
    if (button) {
      if (button.dataset.busy) return null;
      button.dataset.busy = "1";
      button.classList.add("is-sending");
      button.setAttribute("aria-busy", "true");
    }
    const ack = await connection().send(eventName, payload);
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
  };
}
