// The spotlight: the post on every screen now, and ending it. (A post is put in the
// spotlight from the console's list of posts.)

import { t } from "./i18n.js";
import { h } from "./render.js";
import { setText } from "./room.js";
import { spotlightPost } from "./state.js";
import { $ } from "./console_dom.js";

/** Wire "End spotlight"; returns draw(). */
export function spotlightControls(ctx) {
  $("spotlight-end")?.addEventListener("click", (event) => {
    ctx.act(event.currentTarget, "spotlight.set", {}, () => t("spotlight_ended"));
  });

  return function draw() {
    const post = spotlightPost(ctx.state);
    const current = $("spotlight-current");
    current.dataset.postId = post ? String(post.id) : "";
    if (post) {
      current.replaceChildren(t("spotlight_current"), " ", h("strong", {}, post.title));
    } else {
      setText(current, t("spotlight_none"));
    }
    $("spotlight-end").hidden = !post;
  };
}
