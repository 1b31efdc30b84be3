// The console's layout on a laptop: the bar with the phase, the timer and the spotlight
// stays at the top of the window (console.css), and the navigation beside the console's
// parts marks the one in view. This module keeps --console-bar-height to the bar's
// height, which the page's scroll padding uses, so a part scrolled to and a control
// focused are never hidden under the bar; a part chosen in the navigation gets the focus
// on its heading, for the keyboard and for screen readers; and a part named by the URL's
// fragment is brought into view once the console has drawn itself.

/** How far below the bar a part's top may be and still be the part in view, in px. */
const LINE_PX = 32;
/** The space kept between the bar and what is scrolled into view under it, in px. */
const GAP_PX = 12;

/**
 * The id of the part in view, from the parts in page order ({id, top, bottom}: their
 * edges in the window) and `view` ({line, height, atBottom, chosen}): the last part whose
 * top has passed the line below the bar; once the page cannot scroll further, the part
 * chosen last in the navigation if it shows, else the last part that shows, as a part
 * near the end may never reach the line.
 */
export function currentSection(parts, view) {
  if (parts.length === 0) return null;
  let current = parts[0].id;
  for (const part of parts) {
    if (part.top <= view.line) current = part.id;
  }
  if (view.atBottom) {
    const shows = (part) => part.bottom > view.line && part.top < view.height;
    const chosen = parts.find((part) => part.id === view.chosen);
    if (chosen && shows(chosen)) return chosen.id;
    const last = parts.filter(shows).at(-1);
    if (last) return last.id;
  }
  return current;
}

/** The section a fragment names ("#people"), if it is one of the console's parts. */
export function partNamed(hash, ids) {
  let id = "";
  try {
    id = decodeURIComponent(String(hash || "").replace(/^#/, ""));
  } catch {
    return null;
  }
  return ids.includes(id) ? id : null;
}

/** Lay the console out in `root`; returns settle(), to call once it has drawn itself. */
export function consoleLayout(root) {
  const bar = root.querySelector(".console-bar");
  const links = [...root.querySelectorAll(".console-nav a[data-section]")];
  const ids = links.map((link) => link.dataset.section);
  const sections = ids.map((id) => document.getElementById(id)).filter(Boolean);
  let chosen = partNamed(location.hash, ids);

  /** The bar stays at the top of the window (a laptop), or scrolls away (a phone). */
  function barSticks() {
    return bar !== null && getComputedStyle(bar).position === "sticky";
  }

  /** Where the bar ends in the window (0 when it scrolls away with the page). */
  function barBottom() {
    return barSticks() ? bar.getBoundingClientRect().bottom : 0;
  }

  function measureBar() {
    if (bar) {
      const height = Math.ceil(bar.getBoundingClientRect().height);
      document.documentElement.style.setProperty("--console-bar-height", `${height}px`);
    }
  }

  function mark() {
    const scroller = document.scrollingElement || document.documentElement;
    const current = currentSection(
      sections.map((section) => {
        const box = section.getBoundingClientRect();
        return { id: section.id, top: box.top, bottom: box.bottom };
      }),
      {
        line: barBottom() + LINE_PX,
        height: window.innerHeight,
        atBottom: scroller.scrollTop + window.innerHeight >= scroller.scrollHeight - 2,
        chosen,
      },
    );
    for (const link of links) {
      if (link.dataset.section === current) link.setAttribute("aria-current", "location");
      else link.removeAttribute("aria-current");
    }
  }

  let marking = false;
  function markSoon() {
    if (marking) return;
    marking = true;
    requestAnimationFrame(() => {
      marking = false;
      mark();
    });
  }

  /** Focus a part's heading (the browser has scrolled to the part itself). */
  function focusPart(id) {
    const section = document.getElementById(id);
    const heading = section?.querySelector("h2");
    if (!heading) return;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }

  for (const link of links) {
    link.addEventListener("click", () => {
      // The browser follows the link (the fragment, the scrolling); then the focus moves.
      chosen = link.dataset.section;
      requestAnimationFrame(() => {
        focusPart(chosen);
        mark();
      });
    });
  }
  window.addEventListener("hashchange", () => {
    const named = partNamed(location.hash, ids);
    if (named) chosen = named;
    markSoon();
  });
  window.addEventListener("scroll", markSoon, { passive: true });
  window.addEventListener("resize", () => {
    measureBar();
    markSoon();
  });
  if (bar && "ResizeObserver" in window) {
    new ResizeObserver(() => {
      measureBar();
      markSoon();
    }).observe(bar);
  }

  // A control reached with Tab that the browser left under the bar is brought out (not
  // the navigation's links: they are beside the bar, never under it).
  document.addEventListener("focusin", (event) => {
    const target = event.target;
    if (!(target instanceof Element) || !barSticks() || bar.contains(target)) return;
    requestAnimationFrame(() => {
      const box = target.getBoundingClientRect();
      const under = bar.getBoundingClientRect();
      if (box.right <= under.left || box.left >= under.right) return;
      const covered = under.bottom + GAP_PX - box.top;
      if (covered > 0) window.scrollBy(0, -covered);
    });
  });

  measureBar();
  mark();

  return function settle() {
    // The lists above a part named by the fragment have been drawn since the browser
    // scrolled to it: go there again, now that the bar's height is known too.
    const named = partNamed(location.hash, ids);
    if (named) document.getElementById(named)?.scrollIntoView();
    markSoon();
  };
}
