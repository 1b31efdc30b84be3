// Moderation in words, for the board and the projector: a reason as people read it, and
// the public summary ("2 posts hidden by facilitators: 1 spam, 1 off-topic"). The same
// words as pages.REASON_LABELS and pages.hidden_summary on the server.

import { t, tn } from "./i18n.js";

/** The strings' key part for a reason: "personal information" -> "personal_information". */
function keyOf(reason) {
  return String(reason)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_");
}

/** A translated string by key, or `fallback` when the page has none (a newer server). */
function known(key, params, fallback) {
  const text = t(key, params);
  return text === key ? fallback : text;
}

/** "Spam", "Off-topic"...: a reason as a choice, and on a hidden card. */
export function reasonLabel(reason) {
  return known(`reason_${keyOf(reason)}`, {}, String(reason));
}

/** The reasons with a count, most first, then by name (as the server orders them). */
function counted(byReason) {
  return Object.entries(byReason || {})
    .filter(([, count]) => count > 0)
    .sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
}

/** The public summary line; "" when nothing is hidden. */
export function summaryText(moderation) {
  const hidden = moderation?.hidden || 0;
  if (hidden <= 0) return "";
  const reasons = counted(moderation.by_reason)
    .map(([reason, count]) =>
      known(`reason_count_${keyOf(reason)}`, { count }, `${count} ${reason}`),
    )
    .join(", ");
  return reasons ? tn("hidden_summary", hidden, { reasons }) : tn("hidden_count", hidden);
}
