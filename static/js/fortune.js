// The fortune teller's page side. It loads the widget's core (Go compiled
// to WebAssembly) at once, and at every answer hands it the lead the form
// describes, in one string: each field's answer, each signal's age in
// seconds, the framework. It paints what comes back: the stage, fit grade,
// score and tier, which point rules give what (the page prints every
// rule; the script shows those that hold), which stage rules hold, and the
// changes that would move the lead on. The answers live in the page's
// address (its fragment, as a query string), so that the page restores a
// shared fortune and the browser's back button undoes an answer.
(() => {
  const form = document.getElementById("fortune");
  const out = document.getElementById("fortune-out");
  if (!form || !out || !self.WebAssembly || !self.Go) return;
  const d = form.dataset;
  const $ = (s) => out.querySelector(s);
  const all = (s, el = out) => el.querySelectorAll(s);
  const set = (n, v) => ($(`[data-o="${n}"]`).textContent = v);
  const el = (tag, text) => {
    const x = document.createElement(tag);
    x.textContent = text;
    return x;
  };
  const controls = () => [...form.elements].filter((c) => c.name);

  // The fragment's answers go into the form.
  const restore = () => {
    const q = new URLSearchParams(location.hash.slice(1));
    for (const c of controls()) {
      const v = q.get(c.name) || "";
      if (c.type == "checkbox") c.checked = v == "yes";
      else c.value = v;
    }
  };

  // words names a change that moves the lead: a signal by its label, an
  // answer by its question and the answers that do it (their labels, for
  // a choice), at most three named.
  const words = (name, values) => {
    const c = form.elements[name];
    const label = form.querySelector(`label[for="${c.id}"]`).textContent;
    if (c.dataset.signal != null) return label + ", now";
    if (c.type == "checkbox") return label;
    const names = values.map((v) => (c.tagName == "SELECT" ? [...c.options].find((o) => o.value == v).textContent : v));
    const shown = names.slice(0, 3), more = names.length - shown.length;
    return label + ": " + (more ? shown.join(", ") + " or " + more + " more" : shown.length > 1 ? shown.slice(0, -1).join(", ") + " or " + shown.at(-1) : shown[0]);
  };

  let explain;
  const run = () => {
    const q = new URLSearchParams();
    let s = "";
    for (const c of controls()) {
      const v = c.type == "checkbox" ? (c.checked ? "yes" : "") : c.value.trim();
      if (!v) continue;
      q.set(c.name, v);
      // A signal's age, in days on the page, is given in seconds.
      s += c.name + "\x1f" + (c.dataset.signal != null ? Math.round(v * 86400) + "s" : v.replace(/[\x1e\x1f]/g, "\x1a")) + "\x1e";
    }
    const hash = "#" + q;
    if (location.hash != hash && (location.hash || q.size)) history.replaceState(null, "", hash);
    const [head, ...recs] = explain(s, Date.now() / 1000).split("\x1e");
    const [stage, fit, tier, score] = head.split("\x1f");
    set("stage", stage);
    set("fit", fit);
    set("score", score);
    set("tier", tier);
    for (const r of all("[data-point]")) r.hidden = true;
    for (const s of all("[data-stage]")) s.className = "";
    const moves = [], errors = [];
    let points = 0, decided;
    for (const rec of recs) {
      const [kind, a, b, c, age, half] = rec.split("\x1f");
      if (kind == "p") {
        const row = $(`[data-point="${a}"]`);
        row.hidden = false;
        row.querySelector('[data-o="points"]').textContent = (b > 0 ? "+" : "") + b;
        row.querySelector('[data-o="decay"]').textContent = age ? `(${c} points, halved every ${half}, ${age} ago)` : "";
        points++;
      } else if (kind == "s") {
        const li = $(`[data-stage="${a}"]`);
        li.querySelector('[data-o="holds"]').textContent = b == "1" ? "holds" : "does not hold";
        li.className = b == "1" ? (decided ? "holds" : ((decided = 1), "holds decides")) : "";
      } else if (kind == "m") {
        // The answers to one question that lead to one stage make one
        // item: "Country: Germany, France or Spain → MQL".
        const key = a + "\x1f" + c, m = moves.find((m) => m.key == key);
        if (m) m.values.push(b);
        else moves.push({ key, name: a, values: [b], stage: c });
      }
      else if (kind == "e") errors.push(el("li", b));
    }
    $('[data-o="nopoints"]').hidden = points > 0;
    $('[data-o="nomoves"]').hidden = moves.length > 0;
    $('[data-o="moves"]').replaceChildren(...moves.map(({ name, values, stage }) => el("li", words(name, values) + " → " + stage)));
    $('[data-o="errors"]').replaceChildren(...errors);
    out.dataset.hash = location.hash;
  };

  // The core: fetched, compiled and started at once.
  const go = new Go();
  Promise.all([WebAssembly.instantiateStreaming(fetch(d.wasm), go.importObject), fetch(d.model).then((r) => r.text())]).then(
    ([{ instance: i }, model]) => {
      const x = i.exports, enc = new TextEncoder(), dec = new TextDecoder();
      const bytes = (p, n) => new Uint8Array(x.mem.buffer, p, n);
      self.winnowModel = model;
      self.winnowBoot = () => {
        explain = (s, now) => {
          const n = s.length * 3, p = x.winnowInput(n), k = x.winnowExplain(enc.encodeInto(s, bytes(p, n)).written, now);
          if (k < 0) throw Error("the core failed");
          return dec.decode(bytes(x.winnowOutput(), k));
        };
        restore();
        run();
        form.addEventListener("input", run);
        addEventListener("hashchange", () => (restore(), run()));
        form.setAttribute("data-winnow-ready", "");
      };
      go.run(i);
    },
    (e) => console.warn("winnow: the fortune teller cannot start", e)
  );
})();
