// Render the math that pymdownx.arithmatex marks up, with the vendored KaTeX.
// Runs on every page view, including those reached by instant navigation.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    ignoredClasses: ["highlight", "jp-OutputArea"],
    throwOnError: false,
  });
});
