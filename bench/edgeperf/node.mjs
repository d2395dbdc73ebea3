// The worker's Go program and runtime in Node.js, over stand-in bindings
// (D1 answers at once), timed per event: what the program itself costs,
// without wrangler, workerd or a database.
//
//   make edge && node bench/edgeperf/node.mjs build/edge [events] [get|post]
import fs from "node:fs";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const dir = new URL(process.argv[2] + "/", "file://" + process.cwd() + "/").pathname;
require(dir + "/wasm_exec.js");
const { Runtime } = await import(dir + "/runtime.mjs");
const mod = new WebAssembly.Module(fs.readFileSync(dir + "/app.wasm"));
const start = (env) => new Promise((resolve, reject) => {
  const go = new Go(); let handlers, exited;
  const ready = () => { if (!handlers || !exited) return; delete globalThis.winnowRuntime; resolve({ handlers, exited }); };
  globalThis.winnowRuntime = { env, register(h) { handlers = h; ready(); } };
  exited = go.run(new WebAssembly.Instance(mod, go.importObject)); exited.then(() => reject(new Error("exited")), reject); ready();
});
let stmts = 0;
const DB = {
  prepare(sql) { return { bind(...args) { return { raw: async () => { stmts++; return sql.startsWith("SELECT 1") ? [["1"], [1]] : [["x"]]; }, run: async () => ({ meta: { changes: 1, last_row_id: 1 } }), _sql: sql }; } }; },
  async batch(list) { stmts += list.length; return list.map(() => ({ meta: { changes: 1 } })); },
};
const env = { DB, WINNOW_SECRET: "x", ASSETS: { fetch: async (req) => new Response(fs.readFileSync(new URL("../../build/public", import.meta.url).pathname + new URL(req.url).pathname)) } };
const rt = new Runtime(start);
const ctx = { waitUntil() {} };
const n = +process.argv[3] || 2000;
const kind = process.argv[4] || "get";
const mk = (i) => kind === "get" ? new Request("https://w.example/healthz") :
  new Request("https://w.example/api/leads", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ fields: { name: "Ada Lovelace", email: `a.${i}@northwind.io`, company: "Analytical Engines", consent: "yes", industry: "software", role: "marketing", company_size: "201-1000", seniority: "director", country: "DE", request: "demo" }, idempotency_key: `nb-${Date.now()}-${i}` }) });
for (let i = 0; i < 200; i++) { const r = await rt.fetch(mk(i), env, ctx); await r.text(); if (i === 0) console.log(r.status, (await rt.fetch(mk(-1), env, ctx)).status); }
const c0 = process.cpuUsage(); const t0 = performance.now();
for (let i = 0; i < n; i++) { const r = await rt.fetch(mk(i + 1000), env, ctx); await r.arrayBuffer(); }
const c = process.cpuUsage(c0); const t = performance.now() - t0;
console.log(kind, "n", n, "cpu per event", ((c.user + c.system) / 1000 / n).toFixed(3), "ms; wall", (t / n).toFixed(3), "ms; statements", stmts);
