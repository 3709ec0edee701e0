// Small fixes a reader with a keyboard or a phone needs; runs on every page view,
// including those reached by instant navigation.
// Scroll boxes a keyboard can reach (axe: scrollable-region-focusable): display math,
// tables, code and lab cells. Material gives its own code blocks tabindex already. In the
// API reference mkdocstrings displays its tables as tables, so Material's wrapper around
// them (.md-typeset__scrollwrap) is the box that scrolls. Widths
// change once KaTeX's fonts have loaded and when the window is resized: look again then.
function markScrollBoxes(body) {
  const boxes = body.querySelectorAll(
    ".md-typeset div.arithmatex, .md-typeset .md-typeset__table, .md-typeset table, " +
      ".md-typeset .md-typeset__scrollwrap, .md-typeset figure.book-figure, " +
      ".md-typeset pre, " +
      ".jupyter-wrapper pre, .jupyter-wrapper .jp-OutputArea-output"
  );
  for (const box of boxes) {
    if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) {
        box.setAttribute("aria-label", box.matches("div.arithmatex")
          ? "equation (scrolls)"
          : box.matches("figure") ? "figure (scrolls)" : "scrollable");
      }
    }
  }
}

document$.subscribe(({ body }) => {
  markScrollBoxes(body);
  document.fonts.ready.then(() => markScrollBoxes(body));
  // A figure opens its full-size SVG on a tap: on a phone the labels of a multi-panel
  // figure are too small to read in the column.
  for (const img of body.querySelectorAll('.md-typeset img[src*="figures/"]')) {
    if (img.closest("a")) continue;
    const link = document.createElement("a");
    link.href = img.getAttribute("src");
    link.className = "figure-link";
    link.title = "Open the figure at full size";
    img.replaceWith(link);
    link.append(img);
    const hint = document.createElement("span");
    hint.className = "figure-hint";
    hint.textContent = "tap to open full size";
    link.append(hint);
  }
});

window.addEventListener("resize", () => markScrollBoxes(document.body));
