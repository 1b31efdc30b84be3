// A post entered for someone without a phone (a paper card): marked with their name.

import { t } from "./i18n.js";
import { $ } from "./console_dom.js";

/** Wire the "enter a post for someone" form. */
export function assistForm(ctx) {
  const form = $("assist-form");
  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = form.elements;
    for (const field of [fields.title, fields.on_behalf_of]) {
      field.toggleAttribute("aria-invalid", !field.value.trim());
    }
    if (!fields.title.value.trim() || !fields.on_behalf_of.value.trim()) {
      (fields.title.value.trim() ? fields.on_behalf_of : fields.title).focus();
      ctx.say(t("assist_missing"), true);
      return;
    }
    const name = fields.on_behalf_of.value.trim();
    const done = await ctx.act(
      form.querySelector("button[type=submit]"),
      "post.create",
      {
        kind: fields.kind.value,
        title: fields.title.value,
        body: fields.body.value,
        on_behalf_of: name,
      },
      () => t("assist_done", { name }),
    );
    if (done) {
      fields.title.value = "";
      fields.body.value = "";
      fields.on_behalf_of.value = "";
      fields.title.removeAttribute("aria-invalid");
      fields.on_behalf_of.removeAttribute("aria-invalid");
      fields.title.focus();
    }
  });
}
