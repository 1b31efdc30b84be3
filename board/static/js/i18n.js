// Translated strings for the page modules. The server renders board/js_strings.py into
// <script type="application/json" id="i18n"> in the page's own language; no English is
// written in the modules themselves. A key missing from the page shows as the key, so a
// forgotten string is visible rather than silently English.

let strings = null;

function loaded() {
  if (strings === null) {
    try {
      strings = JSON.parse(document.getElementById("i18n")?.textContent || "{}") || {};
    } catch {
      strings = {};
    }
  }
  return strings;
}

/** The string for `key`, with each {name} replaced by params[name]. */
export function t(key, params = {}) {
  const text = loaded()[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) =>
    name in params ? String(params[name]) : match,
  );
}

const plurals = new Intl.PluralRules(document.documentElement.lang || "en");

/** The `${key}_one` / `${key}_other` form for this count (params get {count}). */
export function tn(key, count, params = {}) {
  const form = plurals.select(count) === "one" ? "one" : "other";
  return t(`${key}_${form}`, { count, ...params });
}
