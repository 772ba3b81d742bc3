// Behaviour the pages add to htmx. It lives here, not in hx-on attributes, because the
// Content-Security-Policy lets no inline code run and htmx is configured without eval.
"use strict";

// After an htmx swap, move focus to what the new content marks: a heading, a notice, the errors.
document.addEventListener("htmx:afterSettle", (event) => {
  event.target.querySelector?.("[data-autofocus]")?.focus();
});

// The gradebook marks the cell whose evidence the panel shows.
document.addEventListener("htmx:beforeRequest", (event) => {
  const grid = event.target.closest?.("[data-marks-open-cell]");
  if (!grid) return;
  grid.querySelector(".cell--open")?.classList.remove("cell--open");
  event.target.classList.add("cell--open");
});

// The panel's Close button empties it and returns focus to the cell it came from.
document.addEventListener("click", (event) => {
  const close = event.target.closest?.("[data-closes-panel]");
  if (!close) return;
  const cell = document.getElementById(close.dataset.returnTo);
  document.getElementById(close.dataset.closesPanel)?.replaceChildren();
  cell?.classList.remove("cell--open");
  cell?.focus();
});

// Escape in the panel does what its Close button does.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  event.target.closest?.(".panel")?.querySelector("[data-closes-panel]")?.click();
});
