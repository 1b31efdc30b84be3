// The people on the board (GET participants): mute or unmute, remove (after a yes), with
// who is a facilitator, muted, removed or whose link was withdrawn.

import { t } from "./i18n.js";
import { h } from "./render.js";
import { setText } from "./room.js";
import { $, pageLang, syncList } from "./console_dom.js";
import { peopleHere, personView } from "./console_model.js";

/** Wire the people list; returns {draw, load}. */
export function peopleList(ctx) {
  let people = null; // the last GET participants answer

  function create(person) {
    const id = `person-${person.id}`;
    const mute = h(
      "button",
      { type: "button", class: "mute secondary", "aria-describedby": `${id}-name` },
      t("mute"),
    );
    const remove = h(
      "button",
      {
        type: "button",
        class: "remove delete",
        "aria-expanded": "false",
        "aria-controls": `${id}-confirm`,
        "aria-describedby": `${id}-name`,
      },
      t("remove"),
    );
    const yes = h("button", { type: "button", class: "remove-yes delete" }, t("remove_yes"));
    const no = h("button", { type: "button", class: "remove-cancel secondary" }, t("cancel"));
    const confirm = h(
      "div",
      { class: "remove-confirm", id: `${id}-confirm`, hidden: "" },
      h("p", { class: "remove-question" }),
      h("div", { class: "form-buttons" }, yes, no),
    );
    const item = h(
      "li",
      { class: "person", id, "data-participant-id": String(person.id) },
      h(
        "p",
        { class: "person-line" },
        h("span", { class: "person-name", id: `${id}-name`, tabindex: "-1" }),
        h("span", { class: "person-badges" }),
      ),
      h("p", { class: "hint person-detail" }),
      h("div", { class: "item-actions" }, mute, remove),
      confirm,
    );
    const openConfirm = (open) => {
      confirm.hidden = !open;
      remove.setAttribute("aria-expanded", String(open));
      (open ? yes : remove).focus();
    };
    remove.addEventListener("click", () => openConfirm(confirm.hidden));
    no.addEventListener("click", () => openConfirm(false));
    confirm.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        openConfirm(false);
      }
    });
    mute.addEventListener("click", async () => {
      const muted = item.dataset.muted !== "true";
      const who = item.querySelector(".person-name").textContent;
      const done = await ctx.act(
        mute,
        "participant.mute",
        { participant_id: person.id, muted },
        () => (muted ? t("muted_done", { name: who }) : t("unmuted_done", { name: who })),
      );
      if (done) load();
    });
    yes.addEventListener("click", async () => {
      const who = item.querySelector(".person-name").textContent;
      const done = await ctx.act(yes, "participant.remove", { participant_id: person.id }, () =>
        t("removed_done", { name: who }),
      );
      if (done) {
        confirm.hidden = true;
        remove.setAttribute("aria-expanded", "false");
        item.querySelector(".person-name").focus();
        load();
      }
    });
    return item;
  }

  function update(item, person) {
    const view = personView(ctx.state, person, pageLang());
    item.dataset.muted = String(view.muted);
    item.dataset.removed = String(view.gone);
    item.dataset.role = person.role;
    setText(item.querySelector(".person-name"), view.name);
    const badgeBox = item.querySelector(".person-badges");
    const signature = view.labels.join("|");
    if (badgeBox.dataset.signature !== signature) {
      badgeBox.dataset.signature = signature;
      badgeBox.replaceChildren(
        ...view.labels.flatMap((l) => [" ", h("span", { class: "badge" }, l)]),
      );
    }
    setText(item.querySelector(".person-detail"), view.detail);
    item.querySelector(".item-actions").hidden = !view.actions;
    setText(item.querySelector("button.mute"), view.muted ? t("unmute") : t("mute"));
    setText(item.querySelector(".remove-question"), t("remove_question", { name: view.name }));
    if (view.gone) item.querySelector(".remove-confirm").hidden = true;
  }

  function draw() {
    if (!people) return;
    syncList($("people-list"), people, (p) => p.id, create, update, $("people-heading"));
    setText($("people-count"), String(peopleHere(people).length));
    setText($("people-status"), "");
  }

  async function load() {
    try {
      people = (await ctx.getJson("participants")).participants || [];
      draw();
    } catch {
      setText($("people-status"), t("load_failed"));
    }
  }

  return { draw, load };
}
