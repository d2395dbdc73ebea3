// The signup form's widget, page side. When the browser is idle after the
// page has loaded, or on the first sign of interest in the form, it has a
// worker (widget-worker.js) download, compile and warm up the
// qualification core (Go compiled to WebAssembly); on that sign of
// interest it runs the core here, which takes the page a few milliseconds.
// At each change it hands the core every answer in one string and paints
// what comes back: the conditional questions, each field's error, a word
// on the email address; on submit it sends the lead as JSON and shows the
// next step the server decides. Until it runs, and from the moment
// anything fails, the form is the plain HTML form.
(() => {
  const form = document.querySelector("form[data-winnow-form]");
  if (!form || !self.WebAssembly || !WebAssembly.instantiateStreaming) return;
  const d = form.dataset;
  const byId = (id) => document.getElementById(id);
  const status = form.querySelector(".form-status");
  const say = (m) => status && (status.textContent = m);
  const seen = {}; // per field name: t touched, k typed, p pasted
  const parts = {}; // per field name: its box, control and error slot
  const of = (e) => (seen[e.target.name] = seen[e.target.name] || {});
  let began = 0, evaluate, version, fields = [], verdict = {}, key = "", sending, dead, inputted, pending, worker;
  form.addEventListener("focusin", () => (began = began || Date.now()));

  // stop gives the form back to the browser: it submits the plain way.
  const stop = () => {
    dead = 1;
    form.removeAttribute("data-winnow-ready");
    if (worker) worker.terminate();
  };
  const plain = () => {
    stop();
    form.submit();
  };
  const guard = (f) => (e) => {
    if (dead) return;
    try {
      f(e);
    } catch (x) {
      stop();
      console.warn("winnow: the widget stopped; the form is a plain form", x);
    }
  };
  const hidden = (n, v) => {
    const el = form.querySelector(`input[type=hidden][name="${n}"]`);
    if (el) el.value = v;
  };
  const shown = (n) => !(form.querySelector(`[data-field="${n}"]`) || {}).hidden;
  const problems = (n) => (n > 1 ? n + " answers need" : "One answer needs") + " a correction.";

  // run evaluates the form and paints the result. The signals the spam
  // rules read go last: how long the form took, and whether every answer
  // was pasted.
  const run = () => {
    let s = "", typed = 0, pasted = 0;
    // A separator typed into an answer becomes another control character,
    // which the core refuses as the server does.
    for (const [k, v] of new FormData(form)) if (typeof v == "string") s += k + "\x1f" + v.replace(/[\x1e\x1f]/g, "\x1a") + "\x1e";
    for (const n in seen) seen[n].k ? typed++ : seen[n].p && pasted++;
    const fill = began ? "" + Math.floor((Date.now() - began) / 1000) : "";
    const signals = { fill_seconds: fill, pasted: !typed && pasted > 1 ? "yes" : "" };
    for (const n in signals) s += n + "\x1f" + signals[n] + "\x1e";
    const out = evaluate(s, Date.now() / 1000);
    if (!out) throw Error("the core failed");
    const [head, ...recs] = out.split("\x1e");
    const [stage, fit, tier, hint, use] = head.split("\x1f");
    verdict = { stage, fit, tier };
    fields = [];
    let appeared = 0;
    for (const rec of recs) {
      const [n, ask, msg] = rec.split("\x1f");
      const [box, c, err] = (parts[n] = parts[n] || [form.querySelector(`[data-field="${n}"]`), byId("f-" + n), byId("f-" + n + "-error")]);
      fields.push([n, msg, signals[n]]);
      if (!box) continue;
      if (ask && inputted && box.hidden == (ask == "1")) {
        box.hidden = ask != "1";
        if (c) c.disabled = box.hidden;
        if (!box.hidden) appeared++;
      }
      const m = msg && !box.hidden && (seen[n] || {}).t ? msg : "";
      if (err && c && err.textContent != m) {
        err.textContent = m;
        m ? c.setAttribute("aria-invalid", "true") : c.removeAttribute("aria-invalid");
      }
    }
    if (appeared) say(appeared > 1 ? appeared + " more questions appeared below." : "One more question appeared below.");
    email(hint, use);
  };

  // email says when the address is disposable or a free one, and offers
  // the likely address for a typo in a well-known provider's domain.
  let hintText = "";
  const email = (kind, use) => {
    const box = form.querySelector('[data-field="email"]'), c = byId("f-email");
    let p = byId("f-email-hint");
    const text = {
      disposable: "This looks like a disposable address: we cannot reach you there for long. Please use your work email.",
      typo: "Did you mean " + use + "?",
      free: "A work address helps us find your company and answer sooner.",
    }[kind] || "";
    if (!box || !c || text == hintText) return;
    hintText = text;
    if (!p) {
      p = document.createElement("p");
      p.className = "hint";
      p.id = "f-email-hint";
      box.append(p);
      c.setAttribute("aria-describedby", ((c.getAttribute("aria-describedby") || "") + " f-email-hint").trim());
    }
    p.textContent = text;
    if (kind == "typo") {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "link";
      b.dataset.winnowUse = use;
      b.textContent = "Use " + use;
      p.append(" ", b);
    }
  };

  // schedule evaluates at the next animation frame: a burst of keystrokes
  // costs one evaluation per frame.
  const schedule = () => {
    if (pending) return;
    pending = 1;
    requestAnimationFrame(guard(() => ((pending = 0), run())));
  };

  const submit = (e) => {
    e.preventDefault();
    if (sending) return;
    for (const [n] of fields) (seen[n] = seen[n] || {}).t = 1;
    run();
    const bad = fields.filter(([n, msg]) => msg && shown(n) && form.querySelector(`[data-field="${n}"]`));
    if (bad.length) {
      say(problems(bad.length));
      byId("f-" + bad[0][0]).focus();
      return;
    }
    key = key || crypto.randomUUID();
    hidden("idempotency_key", key);
    const answers = Object.fromEntries(new FormData(form));
    const body = { fields: {}, idempotency_key: key, model: version, verdict };
    for (const [n, , signal] of fields) {
      const v = signal || answers[n];
      if (typeof v == "string" && v && shown(n)) hidden(n, (body.fields[n] = v));
    }
    sending = 1;
    say("Sending…");
    const done = (status, a) => {
      sending = 0;
      try {
        answered(status, a, answers);
      } catch (x) {
        plain();
      }
    };
    fetch(form.action, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
    }).then((r) => r.json().then((j) => done(r.status, j), () => done(r.status, null)), () => done(0, null));
  };

  // answered routes the visitor by the server's answer. With no answer,
  // or a failing server, the browser posts the form itself, with the same
  // key, and shows the server's page.
  const answered = (status, a, answers) => {
    if (status == 200 || status == 201) return route(a.next || {}, answers, a.score);
    if (status == 422 && a && a.errors) {
      let first;
      for (const { field, message } of a.errors) {
        const c = byId("f-" + field), err = byId("f-" + field + "-error");
        if (!c || !err) continue;
        err.textContent = message;
        c.setAttribute("aria-invalid", "true");
        first = first || c;
      }
      say(problems(a.errors.length || 1));
      return first && first.focus();
    }
    if (status == 429 && a && a.message) return say(a.message);
    plain();
  };

  // route shows the next step: a meeting to book now for an opportunity
  // (prefilled with the visitor's name and email), the next step for the
  // others, and a chance to fix the email for a bad lead. The score shows
  // only when the content lets visitors see it (the server then sends it).
  const route = ({ kind, label, message, url }, answers, score) => {
    if (kind == "fix") {
      say(message || "Please check your details.");
      const c = byId("f-email");
      if (c) c.focus();
      key = ""; // a corrected submission is a new one
      return;
    }
    const el = (tag, text, cls) => {
      const x = document.createElement(tag);
      if (text) x.textContent = text;
      if (cls) x.className = cls;
      return x;
    };
    const panel = el("section", "", "next-step"), h = el("h2", kind == "book" ? "Book your meeting now" : "Thank you");
    panel.tabIndex = -1;
    panel.setAttribute("aria-labelledby", (h.id = "next-step-title"));
    panel.append(h);
    if (message) panel.append(el("p", message));
    if (score != null) panel.append(el("p", "Your score: " + Math.round(score), "score")); // the content shows it
    if (url && /^(https:\/\/|\/)/.test(url)) {
      const link = el("a", label || "Continue", "button");
      if (kind == "book") {
        const q = new URLSearchParams();
        for (const n of ["name", "email"]) if (answers[n]) q.set(n, answers[n]);
        if (q.size) url += (url.includes("?") ? "&" : "?") + q.toString().replace(/\+/g, "%20");
      }
      link.href = url;
      panel.append(link);
    } else if (label) panel.append(el("p", label, "next"));
    form.replaceWith(panel);
    panel.focus();
  };

  // boot binds the form once the core has read the model, with the
  // evaluation function and the model's version.
  const boot = (f, v) => {
    evaluate = f;
    version = v;
    const on = (type, h) => form.addEventListener(type, guard(h));
    on("input", (e) => {
      inputted = 1;
      if (e.target.name) /^insertFrom(Paste|Drop)/.test(e.inputType) ? (of(e).p = 1) : e.inputType && (of(e).k = 1);
      schedule();
    });
    on("change", () => ((inputted = 1), schedule()));
    on("paste", (e) => e.target.name && (of(e).p = 1));
    on("focusout", (e) => {
      if (e.target.name && !of(e).t) (of(e).t = 1), schedule();
    });
    on("click", (e) => {
      const use = e.target.dataset && e.target.dataset.winnowUse, c = byId("f-email");
      if (use && c) (c.value = use), c.focus(), schedule();
    });
    form.addEventListener("submit", (e) => {
      if (dead) return;
      try {
        submit(e);
      } catch (x) {
        plain();
      }
    });
    schedule();
    form.setAttribute("data-winnow-ready", "");
  };

  // launch starts the core the worker compiled, Go's wasm_exec.js first.
  const launch = ([mod, m]) => {
    if (typeof mod != "object" || dead) return;
    const s = document.createElement("script");
    s.src = d.wasmExec;
    // Each step its own task, none long enough to hold up the page.
    const later = (f) => (...a) => setTimeout(() => f(...a));
    s.onload = later(() => {
      const go = new Go();
      WebAssembly.instantiate(mod, go.importObject).then(
        later((i) => {
          // An evaluation calls the module's exports directly: the answers
          // go in, and the result comes out, as UTF-8 in its memory.
          const x = i.exports, enc = new TextEncoder(), dec = new TextDecoder();
          const bytes = (p, n) => new Uint8Array(x.mem.buffer, p, n);
          self.winnowModel = m;
          self.winnowBoot = (v) =>
            guard(() =>
              boot((s, now) => {
                if (go.exited) return "";
                const n = s.length * 3, p = x.winnowInput(n), k = x.winnowEvaluate(enc.encodeInto(s, bytes(p, n)).written, now);
                return k > 0 ? dec.decode(bytes(x.winnowOutput(), k)) : "";
              }, v)
            )();
          go.run(i);
        }),
        stop
      );
    });
    document.head.append(s);
  };
  // The worker starts when the browser is idle after load, or on the
  // first sign of interest; the core runs here on that sign only, so that
  // nothing of it costs the page before someone uses the form.
  let ready, wanted;
  const start = () => {
    if (worker || !self.Worker) return;
    worker = new Worker(d.worker);
    worker.onmessage = (e) => ((ready = e.data), wanted && launch(ready));
    worker.onerror = stop;
    worker.postMessage([d.wasm, d.wasmExec, d.model]);
  };
  const want = () => {
    if (wanted) return;
    wanted = 1;
    start();
    if (ready) launch(ready);
  };
  for (const e of ["focusin", "pointerover", "touchstart", "input"]) form.addEventListener(e, want, { passive: true });
  addEventListener("load", () => (self.requestIdleCallback || setTimeout)(start));
})();
