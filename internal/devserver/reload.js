// Served by `winnow dev` only: reloads the page after each good build,
// shows the problems of a broken one on the page, and the example leads
// that fail after a good one.
(() => {
  const script = document.currentScript;
  const events = new EventSource(script.dataset.events);
  let first = null;
  let box = null;
  const show = (text, background) => {
    if (!box) {
      box = document.createElement("pre");
      box.setAttribute("role", "alert");
      box.className = "winnow-dev-problems";
      const s = box.style;
      s.position = "fixed"; s.inset = "auto 0 0 0"; s.margin = "0"; s.padding = "1rem";
      s.maxHeight = "50vh"; s.overflow = "auto"; s.color = "#fff";
      s.font = "14px/1.4 ui-monospace, monospace"; s.zIndex = "2147483647"; s.whiteSpace = "pre-wrap";
      document.body.append(box);
    }
    box.style.background = background;
    box.textContent = text;
  };
  events.addEventListener("build", (e) => {
    if (first === null) first = e.data;
    else if (e.data !== first) location.reload();
    if (box) { box.remove(); box = null; }
  });
  events.addEventListener("problems", (e) => {
    show("The last edit broke the build; this page is the last good one.\n\n" + e.data, "#7f1d1d");
  });
  events.addEventListener("warnings", (e) => {
    show("The site is built, but example leads no longer get the verdict they expect (winnow check fails):\n\n" + e.data, "#713f12");
  });
})();
