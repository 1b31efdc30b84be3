// The session's controls: the phase, the on/off switches (lock, pre-moderation, silent
// brainstorming, hidden dots) and the numbers (dot budget, report threshold, slow mode).

import { t } from "./i18n.js";
import { phaseLabel, setText } from "./room.js";
import { $, checkedNumber } from "./console_dom.js";
import { NUMBERS, TOGGLES, phaseAbout, switches, toggleDone } from "./console_model.js";

/** Wire the session's controls; returns draw(). */
export function sessionControls(ctx) {
  const { root } = ctx;
  const phaseButtons = [...root.querySelectorAll("button.phase-button")];
  for (const button of phaseButtons) {
    button.addEventListener("click", () => {
      const phase = button.dataset.phase;
      if (phase === ctx.state.session.phase) return;
      ctx.act(button, "session.update", { phase }, () =>
        t("phase_set", { phase: phaseLabel(phase) }),
      );
    });
  }

  for (const name of TOGGLES) {
    const button = $(`toggle-${name}`);
    button?.addEventListener("click", () => {
      const value = !ctx.state.session[name];
      ctx.act(button, "session.update", { [name]: value }, () => toggleDone(name, value));
    });
  }

  // A number being typed is not overwritten by a live change until it is saved.
  const dirty = new Set();
  for (const name of NUMBERS) {
    const form = $(`setting-${name}`);
    const input = form?.querySelector("input");
    if (!form || !input) continue;
    input.addEventListener("input", () => dirty.add(name));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = checkedNumber(input, Number.isInteger);
      if (value === null) return;
      const button = form.querySelector("button");
      const done = await ctx.act(button, "session.update", { [name]: value }, () =>
        t("setting_saved"),
      );
      if (done) {
        dirty.delete(name);
        draw();
      }
    });
  }

  function draw() {
    const session = ctx.state.session;
    for (const button of phaseButtons) {
      button.setAttribute("aria-pressed", String(button.dataset.phase === session.phase));
    }
    setText($("phase-now"), t("console_phase_now", { phase: phaseLabel(session.phase) }));
    setText($("phase-about"), phaseAbout(session.phase));
    root.dataset.phase = session.phase;
    const words = switches(ctx.state);
    for (const name of TOGGLES) {
      const row = root.querySelector(`.setting[data-setting="${name}"]`);
      if (!row) continue;
      row.dataset.on = String(words[name].on);
      setText(row.querySelector(".setting-state"), words[name].state);
      setText(row.querySelector(".setting-toggle"), words[name].action);
    }
    for (const name of NUMBERS) {
      const input = $(`setting-${name}`)?.querySelector("input");
      if (!input || dirty.has(name) || document.activeElement === input) continue;
      if (input.value !== String(session[name])) input.value = String(session[name]);
    }
  }
  return draw;
}
