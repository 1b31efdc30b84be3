// Bring a drawn element in line with a freshly rendered one, keeping the nodes that stay,
// so what is typed in a field, the focus and an open <details> survive a live change.
// Children are matched in order by id, else by tag and first class; text by position.
//
// options: keep(node): an old node the render knows nothing of, left where it is (an inline
// edit form, an error note); leaveChildren(el): an element whose children a script fills
// (suggestions), whose attributes alone follow the render.

/** Attributes the page sets on drawn nodes, never the render: an open <details>, a focus target. */
const OWN_ATTRIBUTES = new Set(["open", "tabindex", "data-asked"]);

function keyOf(node) {
  if (node.nodeType !== 1) return `#${node.nodeType}`;
  if (node.id) return `${node.tagName}#${node.id}`;
  return `${node.tagName}.${node.classList[0] || ""}`;
}

function syncAttributes(from, to) {
  for (const { name } of [...from.attributes]) {
    if (!to.hasAttribute(name) && !OWN_ATTRIBUTES.has(name)) from.removeAttribute(name);
  }
  for (const { name, value } of [...to.attributes]) {
    if (from.getAttribute(name) !== value) from.setAttribute(name, value);
  }
}

/** Make `from` (in the page) show what `to` (just rendered, not in the page) shows. */
export function morph(from, to, options = {}) {
  const keep = options.keep || (() => false);
  const leaveChildren = options.leaveChildren || (() => false);
  syncAttributes(from, to);
  if (!leaveChildren(from)) morphChildren(from, to, keep, leaveChildren);
}

function morphChildren(from, to, keep, leaveChildren) {
  const skipKept = (node) => {
    let at = node;
    while (at && keep(at)) at = at.nextSibling;
    return at;
  };
  let cursor = skipKept(from.firstChild);
  for (const wanted of [...to.childNodes]) {
    const key = keyOf(wanted);
    let match = null;
    if (wanted.nodeType === 1) {
      for (let node = cursor; node; node = node.nextSibling) {
        if (!keep(node) && keyOf(node) === key) {
          match = node;
          break;
        }
      }
    } else if (cursor && keyOf(cursor) === key) {
      match = cursor; // text is matched where it stands, never looked for further on
    }
    if (!match) {
      from.insertBefore(wanted, cursor);
      continue;
    }
    while (cursor !== match) {
      const next = cursor.nextSibling;
      if (!keep(cursor)) cursor.remove();
      cursor = next;
    }
    if (match.nodeType === 1) morph(match, wanted, { keep, leaveChildren });
    else if (match.nodeValue !== wanted.nodeValue) match.nodeValue = wanted.nodeValue;
    cursor = skipKept(match.nextSibling);
  }
  while (cursor) {
    const next = cursor.nextSibling;
    if (!keep(cursor)) cursor.remove();
    cursor = next;
  }
}
