// The session's timer: start (preset or custom minutes), stop, and the countdown on the
// server's clock, redrawn every quarter second.

import { t } from "./i18n.js";
import { clockText, setText } from "./room.js";
import { timerLeft } from "./state.js";
import { $, checkedNumber } from "./console_dom.js";
import { timerView } from "./console_model.js";

const TICK_MS = 250;

/** Wire the timer's controls and start the countdown; returns draw(). */
export function timerControls(ctx) {
  const timerEl = $("timer-display");
  const timerStatus = $("timer-status");
  let wasRunning = false;

  function draw() {
    const view = timerView(timerLeft(ctx.state));
    timerEl.dataset.state = view.state;
    timerEl.dataset.running = String(view.running);
    timerEl.dataset.remaining = view.remaining;
    setText(timerEl, clockText(view.seconds));
    setText(timerStatus, view.status);
    if (wasRunning && view.state === "done") ctx.say(t("timer_done"));
    wasRunning = view.running;
    $("timer-stop").hidden = view.state === "none";
  }
  setInterval(draw, TICK_MS);

  function startTimer(button, seconds) {
    ctx.act(button, "timer.set", { seconds }, () =>
      t("timer_started", { time: clockText(seconds) }),
    );
  }

  for (const button of ctx.root.querySelectorAll("button.timer-start")) {
    button.addEventListener("click", () => startTimer(button, Number(button.dataset.seconds)));
  }
  $("timer-custom")?.addEventListener("submit", (event) => {
    event.preventDefault();
    const minutes = checkedNumber($("timer-minutes"), (value) => value > 0);
    if (minutes === null) return;
    startTimer(event.submitter || null, Math.round(minutes * 60));
  });
  $("timer-stop")?.addEventListener("click", (event) => {
    ctx.act(event.currentTarget, "timer.set", { seconds: 0 }, () => t("timer_stopped"));
  });
  return draw;
}
