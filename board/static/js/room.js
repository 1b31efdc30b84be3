// What the facilitator's console, the projector and the results page share about running
// the room: the phase in words and a countdown's text. (The projector and the results page
// ask BoardConnection for `view: "public"`: they see what everyone sees.)

import { t } from "./i18n.js";

/** The session's phases, in the order a workshop runs them. */
export const PHASES = ["gather", "discuss", "prioritise", "closed"];

/** "Gather ideas", "Discuss"...: a phase as people read it (results_pages.PHASE_LABELS). */
export function phaseLabel(phase) {
  switch (phase) {
    case "gather":
      return t("session_phase_gather");
    case "discuss":
      return t("session_phase_discuss");
    case "prioritise":
      return t("session_phase_prioritise");
    case "closed":
      return t("session_phase_closed");
    default:
      return String(phase || "");
  }
}

/** A countdown as a clock: "3:00", "0:09", "1:05:00". */
export function clockText(seconds) {
  const left = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(left / 3600);
  const minutes = Math.floor((left % 3600) / 60);
  const secs = String(left % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${secs}` : `${minutes}:${secs}`;
}

/** Run `fn` at most once per `ms`, always after the last call (a trailing throttle). */
export function throttle(fn, ms) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      fn();
    }, ms);
  };
}

/** The text of a JSON <script> block, parsed; `fallback` when missing or broken. */
export function readJson(id, fallback) {
  const el = document.getElementById(id);
  if (!el) return fallback;
  try {
    return JSON.parse(el.textContent) || fallback;
  } catch {
    return fallback;
  }
}

/** Set an element's text only when it changes (no needless layout, no lost selection). */
export function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}
