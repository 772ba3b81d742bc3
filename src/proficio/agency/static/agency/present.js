// The conference as slides: one at a time, moved by the buttons, the arrow keys or a swipe.
// Without scripts every slide shows, one after another.
document.addEventListener("DOMContentLoaded", () => {
  const slides = Array.from(document.querySelectorAll(".present__slide"));
  const counter = document.querySelector("[data-counter]");
  if (!slides.length) return;
  document.body.classList.add("present--one");
  let shown = 0;
  const show = (index) => {
    shown = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach((slide, n) => { slide.hidden = n !== shown; });
    counter.textContent = `${shown + 1} / ${slides.length}`;
  };
  document.querySelector("[data-next]").addEventListener("click", () => show(shown + 1));
  document.querySelector("[data-previous]").addEventListener("click", () => show(shown - 1));
  document.addEventListener("keydown", (event) => {
    if (["ArrowRight", "PageDown", " "].includes(event.key)) { event.preventDefault(); show(shown + 1); }
    if (["ArrowLeft", "PageUp"].includes(event.key)) { event.preventDefault(); show(shown - 1); }
  });
  let startX = null;
  document.addEventListener("touchstart", (event) => { startX = event.touches[0].clientX; });
  document.addEventListener("touchend", (event) => {
    if (startX === null) return;
    const moved = event.changedTouches[0].clientX - startX;
    if (Math.abs(moved) > 50) show(shown + (moved < 0 ? 1 : -1));
    startX = null;
  });
  show(0);
});
