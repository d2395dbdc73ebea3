// Starts the signup form's widget (Go compiled to WebAssembly) on the first
// sign of interest in the form, or when the browser is idle well after the
// page has loaded. Until it runs, and if anything fails, the form is the
// plain HTML form.
(() => {
  const form = document.querySelector("form[data-winnow-form]");
  if (!form || !self.WebAssembly || !WebAssembly.instantiateStreaming) return;
  const d = form.dataset;
  let started = false;
  // winnowRead gives the widget every answer in one string.
  self.winnowRead = (f) => {
    let s = "";
    for (const [k, v] of new FormData(f)) if (typeof v == "string") s += k + "\x1f" + v + "\x1e";
    return s;
  };
  // winnowPost sends the lead as JSON and calls back with the status and
  // the answer (0 and null when there is no answer).
  self.winnowPost = (url, body, key, done) =>
    fetch(url, { method: "POST", body, headers: { "Content-Type": "application/json", "Idempotency-Key": key } })
      .then((r) => r.json().then((j) => done(r.status, j), () => done(r.status, null)), () => done(0, null));
  // The first focus of a field starts the clock of how long the form took.
  form.addEventListener("focusin", () => (self.winnowFocus = self.winnowFocus || Date.now()), { once: true });
  const start = () => {
    if (started) return;
    started = true;
    const s = document.createElement("script");
    s.src = d.wasmExec;
    s.onload = () => {
      const go = new Go();
      Promise.all([
        WebAssembly.instantiateStreaming(fetch(d.wasm), go.importObject),
        fetch(d.model).then((r) => (r.ok ? r.text() : Promise.reject(r.status))),
      ]).then(([w, m]) => {
        self.winnowModel = m;
        go.run(w.instance);
      }, () => {});
    };
    document.head.append(s);
  };
  for (const e of ["focusin", "pointerover", "touchstart"]) form.addEventListener(e, start, { once: true, passive: true });
  addEventListener("load", () => setTimeout(() => (self.requestIdleCallback || setTimeout)(start), 8000));
})();
