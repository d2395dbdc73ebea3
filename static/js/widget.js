// The form's widget, page side. On load it makes a multi-step form go
// step by step (the page shows every step at once without it) and asks
// the server which questions a returning visitor already answered: those
// make way for the form's extra questions. When the browser is idle
// after the page has loaded, or on the first sign of interest in the
// form, it has a worker (widget-worker.js) download, compile and warm up
// the qualification core (Go compiled to WebAssembly); on that sign of
// interest it runs the core here, which takes the page a few
// milliseconds. At each change it hands the core every answer in one
// string and paints what comes back: the conditional questions, each
// field's error, a word on the email address, and, where the site lets
// it, what the model makes of the visitor; on submit it sends the lead
// as JSON and shows the next step the server decides. Until the core
// runs, and from the moment anything fails, the form is the plain HTML
// form. Its words are the page's: the script has none of its own.
(() => {
  const form = document.querySelector("form[data-winnow-form]");
  if (!form) return;
  const d = form.dataset;
  const byId = (id) => document.getElementById(id);
  const $ = (s, el = form) => el.querySelector(s);
  const boxOf = (n) => $(`[data-field="${n}"]`);
  const text = (el, s) => el && el.textContent != s && (el.textContent = s);
  const status = $(".form-status");
  const say = (m) => text(status, m);
  const words = (k, n) => (d[k + (n > 1 ? "s" : "")] || "").replace("#", n);

  // Steps: one at a time, Next checks the step's answers first. A step
  // left without a question to ask is passed over.
  const steps = form.querySelectorAll("[data-step]");
  let at = 0;
  const show = (i) => {
    steps.forEach((s, j) => (s.hidden = j != i));
    at = i;
  };
  const go = (by) => {
    let i = at + by;
    while (i > 0 && i < steps.length - 1 && !$(".field:not([hidden])", steps[i])) i += by;
    show(i);
    steps[i].focus();
  };
  // stepOf shows the step that holds a control.
  const stepOf = (c) => steps.forEach((s, i) => s.contains(c) && show(i));
  if (steps.length) {
    show(0);
    // The browser's own check of a question on another step shows it.
    form.addEventListener("invalid", (e) => stepOf(e.target), true);
    form.addEventListener("click", (e) => {
      const by = +e.target.dataset.go;
      if (by && (by < 0 || [...steps[at].querySelectorAll("[name]")].every((c) => c.reportValidity()))) go(by);
    });
  }

  // A returning visitor: what their lead answered makes way for the
  // extra questions, in their order; what the form asks again stays.
  if (d.profile)
    fetch(d.profile)
      .then((r) => r.json())
      .then(({ answered: a }) => {
        const extra = [...form.querySelectorAll("[data-extra] [data-field]")].filter((x) => !a.includes(x.dataset.field));
        for (const n of a) {
          const b = boxOf(n);
          if (b && !b.dataset.again && !b.closest("[data-extra]")) {
            const x = extra.shift();
            x ? b.replaceWith(x) : b.remove();
          }
        }
      }, () => 0);

  if (!self.WebAssembly || !WebAssembly.instantiateStreaming) return;
  const verdictBox = $("[data-winnow-verdict]");
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
      console.warn("winnow: the form is a plain form", x);
    }
  };
  // keep sets a control's value, for the plain post should the widget
  // fail: the key, and what the page recorded.
  const keep = (n, v) => {
    const el = form.elements[n];
    if (el) el.value = v;
  };
  const shown = (n) => !(boxOf(n) || {}).hidden;
  const wrong = () => fields.filter(([n, msg]) => msg && shown(n) && boxOf(n));
  // fix shows the first answer to correct, on its step.
  const fix = (n, c) => (say(words("problem", n)), c && (stepOf(c), c.focus()));

  // run evaluates the form and paints the result. The signals the spam
  // rules read go last: how long the form took, and whether every answer
  // was pasted.
  const run = () => {
    let s = "", typed = 0, pasted = 0;
    // A separator typed into an answer becomes another control character,
    // which the core refuses as the server does.
    for (const [k, v] of new FormData(form)) s += k + "\x1f" + v.replace(/[\x1e\x1f]/g, "\x1a") + "\x1e";
    for (const n in seen) seen[n].k ? typed++ : seen[n].p && pasted++;
    const fill = began ? "" + Math.floor((Date.now() - began) / 1000) : "";
    const signals = { fill_seconds: fill, pasted: !typed && pasted > 1 ? "yes" : "" };
    for (const n in signals) s += n + "\x1f" + signals[n] + "\x1e";
    const out = evaluate(s, Date.now() / 1000);
    if (!out) throw Error("the core failed");
    const [head, ...recs] = out.split("\x1e");
    const [stage, fit, tier, hint, use, next] = head.split("\x1f");
    verdict = { stage, fit, tier };
    fields = [];
    let appeared = 0;
    for (const rec of recs) {
      const [n, ask, msg] = rec.split("\x1f");
      const [box, c, err] = (parts[n] = parts[n] || [boxOf(n), byId("f-" + n), byId("f-" + n + "-error")]);
      fields.push([n, msg, signals[n]]);
      if (!box) continue;
      if (ask && inputted && box.hidden == (ask == "1")) {
        box.hidden = ask != "1";
        if (c) c.disabled = box.hidden;
        if (!box.hidden) appeared++;
      }
      const m = msg && !box.hidden && (seen[n] || {}).t ? msg : "";
      if (err && c && text(err, m)) m ? c.setAttribute("aria-invalid", "true") : c.removeAttribute("aria-invalid");
    }
    if (appeared) say(words("question", appeared));
    // The email address: disposable, free, or a likely typo, which a
    // click corrects.
    const p = byId("f-email-hint");
    if (p && text(p.firstChild, (p.dataset[hint] || "").replace("#", use))) {
      p.hidden = !hint;
      p.lastChild.hidden = !use;
      p.lastChild.lastChild.textContent = use;
    }
    // What the model makes of the visitor, once every answer shown is
    // one the server takes.
    if (verdictBox) {
      verdictBox.hidden = wrong().length > 0;
      text($("strong", verdictBox), stage);
      text($("span", verdictBox), next);
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
    const bad = wrong();
    if (bad.length) return fix(bad.length, byId("f-" + bad[0][0]));
    key = key || crypto.randomUUID();
    keep("idempotency_key", key);
    const answers = Object.fromEntries(new FormData(form));
    const body = { fields: {}, idempotency_key: key, model: version, verdict, form: answers.form };
    for (const [n, , signal] of fields) {
      const v = signal || answers[n];
      if (v && shown(n)) keep(n, (body.fields[n] = v));
    }
    sending = 1;
    say(d.sending);
    const done = (status, a) => {
      sending = 0;
      try {
        answered(status, a);
      } catch (x) {
        plain();
      }
    };
    fetch(form.action, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "Idempotency-Key": key },
    }).then((r) => r.json().catch(() => 0).then((j) => done(r.status, j)), () => done(0));
  };

  // answered routes the visitor by the server's answer. With no answer,
  // or a failing server, the browser posts the form itself, with the same
  // key, and shows the server's page.
  const answered = (status, a) => {
    if (status == 200 || status == 201) return route(a);
    if (status == 422 && a && a.errors) {
      let first;
      for (const { field, message } of a.errors) {
        const [, c, err] = parts[field] || [];
        if (!c || !err) continue;
        err.textContent = message;
        c.setAttribute("aria-invalid", "true");
        first = first || c;
      }
      return fix(a.errors.length || 1, first);
    }
    if (status == 429 && a) return say(a.message);
    plain();
  };

  // route shows the next step in the page's panel, after the form's own
  // thank-you: a meeting to book now for an opportunity (the server
  // prefills it with the visitor's name and email), the next step for the
  // others, and a chance to fix the email for a bad lead. The panel has a place for the
  // stage where the site tells visitors what the model makes of them, and
  // for the score where the content shows it (the server then sends it).
  const route = ({ next: { kind, label, message, url } = {}, stage, score }) => {
    if (kind == "fix") {
      fix(1, byId("f-email"));
      say(message || d.fix);
      key = ""; // a corrected submission is a new one
      return;
    }
    const panel = byId("next-step");
    const fill = (n, v, href) => {
      const el = $(`[data-n="${n}"]`, panel);
      if (!el) return;
      el.hidden = !v;
      (el.lastElementChild || el).textContent = v;
      if (href) el.href = href;
    };
    if (!/^(https:\/\/|\/)/.test(url)) url = "";
    if (kind == "book") fill("title", d.book);
    fill("stage", stage);
    fill("message", message);
    fill("url", url && (label || d.continue), url);
    fill("label", !url && label);
    fill("score", score && Math.round(score)); // the content shows it
    form.replaceWith(panel);
    panel.hidden = false;
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
      const b = e.target.closest("#f-email-hint button"), c = byId("f-email");
      if (b && c) (c.value = b.lastChild.textContent), c.focus(), schedule();
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
