// The feed as a person asked to see it: by kind, by theme, newest or most supported,
// with pinned posts on top.
// The same rules as pages.arrange (and pages.board, which puts pinned posts first) on the
// server, so the page looks the same before and
// after the script takes over, and the form works as a plain GET form without it.

export const SORTS = ["newest", "supported"];

/** The view {kind, tag, sort} the filter form shows now. */
export function readView(form) {
  const sort = form.elements.sort?.value;
  return {
    kind: form.elements.kind?.value || null,
    tag: form.elements.tag?.value || null,
    sort: SORTS.includes(sort) ? sort : "newest",
  };
}

/** Does this post pass the view's filters? */
export function shows(view, post) {
  return (!view.kind || post.kind === view.kind) && (!view.tag || post.tag === view.tag);
}

/**
 * Posts filtered and sorted for the view: newest first, or most supported (then newest);
 * pinned posts first whatever the order.
 */
export function arrange(posts, view) {
  const shown = [...posts].filter((post) => shows(view, post));
  shown.sort((a, b) => b.id - a.id);
  if (view.sort === "supported") shown.sort((a, b) => b.support_count - a.support_count);
  return shown.sort((a, b) => Number(Boolean(b.pinned)) - Number(Boolean(a.pinned)));
}

/** The page address for a view (empty filters and the default sort are left out). */
export function addressFor(view, location = window.location) {
  const query = new URLSearchParams();
  if (view.kind) query.set("kind", view.kind);
  if (view.tag) query.set("tag", view.tag);
  if (view.sort !== "newest") query.set("sort", view.sort);
  const search = query.toString();
  return `${location.pathname}${search ? `?${search}` : ""}${location.hash}`;
}
