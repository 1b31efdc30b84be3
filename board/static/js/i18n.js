// Translated strings for the page modules. The server renders board/js_strings.py into
// <script type="application/json" id="i18n"> in the page's own language; no English is
// written in the modules themselves. A key missing from the page shows as the key, so a
// forgotten string is visible rather than silently English.
//
// The page is read on the first lookup, not at import, so the module also loads where
// there is no document (node's unit tests give it strings with useStrings).

let strings = null;
let plurals = null;

function loaded() {
  if (strings === null) {
    try {
      strings = JSON.parse(globalThis.document?.getElementById("i18n")?.textContent || "{}") || {};
    } catch {
      strings = {};
    }
  }
  return strings;
}

function pluralRules() {
  plurals ??= new Intl.PluralRules(globalThis.document?.documentElement?.lang || "en");
  return plurals;
}

/** Use these strings and this language instead of the page's. */
export function useStrings(table, lang = "en") {
  strings = { ...table };
  plurals = new Intl.PluralRules(lang);
}

/** The string for `key`, with each {name} replaced by params[name]. */
export function t(key, params = {}) {
  const text = loaded()[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) =>
    name in params ? String(params[name]) : match,
  );
}

/** The `${key}_one` / `${key}_other` form for this count (params get {count}). */
export function tn(key, count, params = {}) {
  const form = pluralRules().select(count) === "one" ? "one" : "other";
  return t(`${key}_${form}`, { count, ...params });
}
