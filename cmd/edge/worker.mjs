// Winnow's worker on Cloudflare Workers: Go's wasm_exec.js, the Go
// program (cmd/edge, built into app.wasm), and the runtime that keeps one
// program per isolate and dispatches every event to it (runtime.mjs).
import "./wasm_exec.js";
import mod from "./app.wasm";
import { Runtime } from "./runtime.mjs";

// start runs a new Go program; it resolves once the program has
// registered its handlers (main.go).
function start(env) {
  return new Promise((resolve, reject) => {
    const go = new Go();
    let handlers, exited;
    const ready = () => {
      if (!handlers || !exited) return;
      delete globalThis.winnowRuntime;
      resolve({ handlers, exited });
    };
    globalThis.winnowRuntime = {
      env,
      register(h) {
        handlers = h;
        ready();
      },
    };
    exited = go.run(new WebAssembly.Instance(mod, go.importObject));
    exited.then(() => reject(new Error("the Go program exited as it started")), reject);
    ready();
  });
}

const runtime = new Runtime(start);

export default {
  fetch: (request, env, ctx) => runtime.fetch(request, env, ctx),
  scheduled: (event, env, ctx) => runtime.scheduled(event, env, ctx),
  queue: (batch, env, ctx) => runtime.queue(batch, env, ctx),
};
