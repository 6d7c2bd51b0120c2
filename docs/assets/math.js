// The math of every page, typeset by KaTeX (served by the site itself): the text pages' formulas, which
// pymdownx.arithmatex marks with \( \) and \[ \], and the notebooks' markdown, written with $ and $$.
const DELIMITERS = [
  { left: "\\[", right: "\\]", display: true },
  { left: "\\(", right: "\\)", display: false },
];
const NOTEBOOK_DELIMITERS = [
  { left: "$$", right: "$$", display: true },
  { left: "$", right: "$", display: false },
  ...DELIMITERS,
];

document$.subscribe(({ body }) => {
  for (const element of body.querySelectorAll(".arithmatex")) {
    renderMathInElement(element, { delimiters: DELIMITERS, throwOnError: false });
  }
  for (const element of body.querySelectorAll(".jupyter-wrapper .jp-RenderedMarkdown")) {
    renderMathInElement(element, { delimiters: NOTEBOOK_DELIMITERS, throwOnError: false });
  }
  if (body.querySelector(".jupyter-wrapper")) {  // a notebook's contents: its headings, math included
    for (const element of body.querySelectorAll(".md-nav--secondary .md-nav__link")) {
      renderMathInElement(element, { delimiters: NOTEBOOK_DELIMITERS, throwOnError: false });
    }
  }
});
