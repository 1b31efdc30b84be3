// What the board page says, worked out without the DOM: the session banner's phase and
// clock, why the composer is closed, the connection banner's words, a refused write in
// plain words, and which of the council's decisions are news. board.js draws them.

import { t, tn } from "./i18n.js";

const PHASES = ["gather", "discuss", "prioritise", "closed"];

/** The phase in words: "Prioritising: place your 3 dots". */
export function phaseText(session) {
  if (session.phase === "prioritise") return tn("phase_prioritise", session.dot_budget);
  return t(PHASES.includes(session.phase) ? `phase_${session.phase}` : "phase_gather");
}

/** Seconds as the timer shows them: "4:05". */
export function clock(seconds) {
  const minutes = Math.floor(seconds / 60);
  const rest = String(seconds % 60).padStart(2, "0");
  return `${minutes}:${rest}`;
}

/** Dots I have left: the budget less those spent and those on their way. */
export function dotsLeft(budget, spent, onTheirWay = 0) {
  return Math.max(0, budget - spent - onTheirWay);
}

/**
 * Why this person cannot write at all now: "removed", "closed", "locked" or null.
 * `me`: {removed?}; facilitators are never blocked.
 */
export function writeBlock(session, me, facilitator) {
  if (facilitator) return null;
  if (me?.removed) return "removed";
  if (session.phase === "closed") return "closed";
  return session.locked ? "locked" : null;
}

/** Why the composer is closed, in words, or null when it is open. */
export function composerReason(session, block, facilitator, muted) {
  if (block === "removed") return t("removed");
  if (block) return t(`composer_${block}`);
  if (!facilitator && session.phase === "prioritise") return t("composer_prioritising");
  if (muted) return t("composer_muted");
  return null;
}

/**
 * The connection banner: {state, tone, parts}. `parts` are strings and {href, text} links.
 * `link`: connecting | online | offline | refused; `lost`: dropped and not back yet;
 * `backOnline`: back a moment ago; `slow`: the first connection takes a while; `refusal`:
 * the server's error; `waiting`: writes not sent yet; `staff`: a facilitator as the page
 * opened; `boardUrl`: the board's address.
 */
export function connectionBanner({
  link,
  lost,
  backOnline,
  slow,
  refusal,
  waiting,
  staff,
  boardUrl,
}) {
  let parts = [];
  let tone = "";
  if (link === "refused") {
    tone = "error";
    const code = refusal?.code;
    if (code === "not_joined") {
      parts = [`${t("signed_out")} `, { href: `${boardUrl}/join`, text: t("join_again") }];
    } else if (code === "removed" || (code === "access_revoked" && !staff)) {
      parts = [t("removed")];
    } else if (code === "access_revoked") {
      parts = [`${t("link_withdrawn")} `, { href: boardUrl, text: t("reload") }];
    } else {
      parts = [refusal?.message || t("live_unavailable")];
    }
  } else if (lost) {
    tone = "offline";
    parts = [t("connection_lost")];
    if (waiting) parts.push(` ${tn("waiting", waiting)}`);
  } else if (link === "connecting" && slow) {
    tone = "waiting";
    parts = [t("connecting")];
  } else if (link === "online" && backOnline) {
    tone = "online";
    parts = [t("back_online")];
  }
  const state = link === "refused" || lost ? "offline" : link;
  return { state, tone, parts };
}

// Refusals by the session and the dot and report rules, in the page's own words.
const PLAIN_ERRORS = [
  "board_locked",
  "board_closed",
  "posting_paused",
  "muted",
  "not_prioritising",
  "no_dots_left",
  "no_dot_here",
  "already_reported",
  "post_not_open",
];

/** What went wrong, in plain (translated) words where the page knows the refusal. */
export function errorText(error) {
  const code = error?.code;
  if (code === "slow_down") {
    return tn("error_slow_down", Math.max(1, Number(error.fields?.retry_after) || 1));
  }
  if (PLAIN_ERRORS.includes(code)) return t(`error_${code}`);
  return error?.message || t("failed");
}

/** Decided proposals in `after.proposals` that `before.proposals` did not have decided. */
export function decisionsArrived(before, after) {
  const arrived = [];
  for (const [ideaId, proposal] of after.proposals || []) {
    if (proposal.state !== "decided" || !proposal.decision) continue;
    const was = before.proposals?.get(ideaId);
    if (was && was.id === proposal.id && was.state === "decided") continue;
    arrived.push(proposal);
  }
  return arrived;
}
