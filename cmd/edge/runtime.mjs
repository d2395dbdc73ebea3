// The JavaScript half of Winnow's worker: one Go program per isolate,
// every fetch, scheduled and queue event dispatched to it.
//
// Workers run many events in one isolate, some at once, and tie each I/O
// (a D1 query, a fetch, a stream) to the event that started it: I/O begun
// for one event while another's code runs is cancelled when that other
// event ends. Go's scheduler runs any goroutine that is ready whenever
// JavaScript calls into it, so the Go side never does I/O itself: it asks
// the event's port (submit), and the event's own loop, below, does it in
// the event's context and hands the answer back (complete). Promises the
// loop awaits are created in its context, so workerd resumes it there
// whoever resolves them.
//
// This file knows nothing of Go's wasm_exec.js: worker.mjs gives it a
// start function, and the tests give it stand-ins.

// The largest request body passed to Go: the handler refuses far smaller
// ones (64 KiB), so this only bounds what one request can make us buffer.
export const MAX_BODY = 1 << 20;

// How long an event waiting for Go, with no I/O of its own under way, is
// kept alive: Go waits for another event's I/O, which takes milliseconds;
// beyond this the wait is taken for a hang.
export const KEEP_ALIVE_MS = 30_000;

// Runtime owns the Go instance and dispatches events to it.
export class Runtime {
  // start(env) instantiates the Go program and resolves, once it has set
  // up, to { handlers, exited } where handlers has fetch, scheduled and
  // queue functions taking a port, and exited is a promise that settles
  // when the program ends.
  constructor(start, log = console) {
    this.start = start;
    this.log = log;
    this.current = null; // the live instance: { ready, handlers, events, dead }
    this.starts = 0;
  }

  // instance returns the live Go instance, starting one when there is
  // none or the last one has ended.
  instance(env) {
    if (this.current && !this.current.dead) return this.current.ready;
    const inst = { handlers: null, events: new Set(), dead: false };
    this.current = inst;
    this.starts++;
    inst.ready = Promise.resolve()
      .then(() => this.start(env))
      .then(({ handlers, exited }) => {
        inst.handlers = handlers;
        exited.then(
          () => this.kill(inst, new Error("the Go program exited")),
          (err) => this.kill(inst, err),
        );
        return inst;
      });
    inst.ready.catch((err) => this.kill(inst, err));
    return inst.ready;
  }

  // kill marks an instance dead: the next event starts a new one, and the
  // events it was serving fail.
  kill(inst, err) {
    if (inst.dead) return;
    inst.dead = true;
    if (this.current === inst) this.current = null;
    this.log.error("winnow: the Go instance stopped:", String(err && err.stack || err));
    for (const ev of inst.events) ev.fail(err);
  }

  // dispatch runs one event: handler is the Go handler's name, port the
  // event's data. It resolves to what Go responds.
  async dispatch(name, port, env, ctx) {
    const inst = await this.instance(env);
    const ev = new Event(port, env, ctx, this, inst);
    inst.events.add(ev);
    // The loop fails only with the event (fail), whose response says so.
    const loop = ev.loop.catch(() => {}).then(() => inst.events.delete(ev));
    if (ctx && ctx.waitUntil) ctx.waitUntil(loop);
    ev.enter(() => inst.handlers[name](ev.port));
    return ev.response;
  }

  async fetch(request, env, ctx) {
    try {
      const body = await readBody(request);
      // One string crosses into Go: method, URL and headers, NUL-separated.
      const head = request.method + "\0" + request.url + "\0" + flatten(request.headers);
      const out = await this.dispatch("fetch", { head, body }, env, ctx);
      return respond(request, out);
    } catch (err) {
      if (err instanceof TooLarge) {
        return json(413, { code: "too_large", message: `the body is larger than ${MAX_BODY} bytes` });
      }
      this.log.error("winnow: fetch:", String(err && err.stack || err));
      return json(503, { code: "unavailable", message: "we could not take your request just now; nothing was stored: please try again in a minute" });
    }
  }

  // scheduled fails the cron event with the message Go answers, if any.
  async scheduled(event, env, ctx) {
    const err = await this.dispatch("scheduled", { cron: event.cron, time: event.scheduledTime }, env, ctx);
    if (err) throw new Error(err);
  }

  // queue hands a batch to Go, which answers with the messages to retry
  // and their delays in seconds; the others are acknowledged.
  async queue(batch, env, ctx) {
    const messages = batch.messages.map((m) => [m.id, String(m.body), m.attempts]);
    const retry = await this.dispatch("queue", { queue: batch.queue, messages }, env, ctx);
    const later = new Map(retry || []);
    batch.messages.forEach((m, i) => (later.has(i) ? m.retry({ delaySeconds: later.get(i) }) : m.ack()));
  }
}

// Event is one event's port and the loop that does its I/O.
class Event {
  constructor(data, env, ctx, runtime, inst) {
    this.env = env;
    this.runtime = runtime;
    this.inst = inst;
    this.queue = [];
    this.wake = null;
    this.inflight = 0; // operations under way
    this.kept = false; // kept alive for KEEP_ALIVE_MS since Go last submitted
    this.ended = false;
    this.response = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.response.catch(() => {});
    let stop;
    this.stopped = new Promise((_, reject) => (stop = reject));
    this.stopped.catch(() => {});
    this.fail = (err) => {
      this.reject(err);
      stop(err);
    };
    // The port is what Go sees: the event's data, submit, and complete,
    // which Go sets before it submits anything.
    this.port = Object.assign({}, data, {
      submit: (id, op, args) => {
        this.queue.push([id, op, args]);
        this.rouse();
      },
      complete: null,
    });
    this.loop = this.run();
  }

  // enter calls into Go; a trap there kills the instance.
  enter(call) {
    try {
      call();
    } catch (err) {
      this.runtime.kill(this.inst, err);
    }
  }

  // run does the event's I/O as Go submits it. While it waits for Go with
  // none of its own I/O under way, its Go code waits for another event's
  // (a lock held across a read, a cache another event fills): workerd
  // would find nothing pending in this event and cancel it as hung, so a
  // timer keeps it alive for up to KEEP_ALIVE_MS, until Go submits again.
  async run() {
    for (;;) {
      if (this.queue.length === 0) {
        const woken = new Promise((r) => (this.wake = r));
        let timer;
        const waits = [woken, this.stopped];
        if (this.inflight === 0 && !this.kept) {
          waits.push(new Promise((r) => (timer = setTimeout(() => ((this.kept = true), r()), KEEP_ALIVE_MS))));
        }
        try {
          await Promise.race(waits);
        } finally {
          clearTimeout(timer);
        }
        continue;
      }
      this.kept = false;
      const [id, op, args] = this.queue.shift();
      switch (op) {
        case "respond":
          this.resolve(args[0]);
          break;
        case "end":
          this.resolve(undefined); // nothing was responded: the event's own default
          return;
        default:
          this.exec(id, op, args);
      }
    }
  }

  // exec runs one I/O operation and gives Go its outcome.
  exec(id, op, args) {
    const fn = ops[op];
    const p = fn ? Promise.resolve().then(() => fn(this.env, ...args)) : Promise.reject(new Error(`no operation ${op}`));
    this.inflight++;
    const done = (value, err) => {
      this.inflight--;
      this.enter(() => this.port.complete(id, value, err));
      if (this.inflight === 0) this.rouse(); // the loop looks again at what it waits for
    };
    p.then(
      (value) => done(value, null),
      (err) => done(undefined, String(err && err.message || err)),
    );
  }

  // rouse resumes the loop, which waits for Go.
  rouse() {
    const wake = this.wake;
    this.wake = null;
    if (wake) wake();
  }
}

// ops are what Go can ask of an event; each runs in the event's context.
export const ops = {
  // D1 statements cross from Go as JSON: [sql, [args...]].
  //
  // query runs one statement and returns its rows as JSON, column names
  // first.
  async query(env, binding, stmt) {
    const [sql, args] = JSON.parse(stmt);
    const rows = await db(env, binding).prepare(sql).bind(...args).raw({ columnNames: true });
    return JSON.stringify(rows, blobless);
  },
  // exec runs one statement and returns "changes,last_row_id".
  async exec(env, binding, stmt) {
    const [sql, args] = JSON.parse(stmt);
    const res = await db(env, binding).prepare(sql).bind(...args).run();
    return `${res.meta.changes},${res.meta.last_row_id ?? 0}`;
  },
  // batch runs statements, JSON [[sql, [args...]], ...], as one
  // transaction and returns each one's changes, comma-separated.
  async batch(env, binding, stmts) {
    const d = db(env, binding);
    const res = await d.batch(JSON.parse(stmts).map(([sql, args]) => d.prepare(sql).bind(...args)));
    return res.map((r) => r.meta.changes).join(",");
  },
  // fetch sends a request (no redirects followed) and returns
  // [status, headers, body], aborted after timeout milliseconds.
  async fetch(env, url, method, headers, body, timeout) {
    const init = { method, headers: unflatten(headers), redirect: "manual" };
    if (body) init.body = body;
    if (timeout > 0) init.signal = AbortSignal.timeout(timeout);
    const res = await fetch(url, init);
    return [res.status, flatten(res.headers), new Uint8Array(await res.arrayBuffer())];
  },
  // send puts messages on a queue.
  async send(env, binding, bodies) {
    const q = env[binding];
    if (!q || typeof q.sendBatch !== "function") throw new Error(`no queue binding ${binding}`);
    await q.sendBatch(bodies.map((body) => ({ body })));
    return bodies.length;
  },
  // asset reads a file of the site's static assets.
  async asset(env, path) {
    if (!env.ASSETS) throw new Error("no ASSETS binding: wrangler.jsonc's assets need \"binding\": \"ASSETS\"");
    const res = await env.ASSETS.fetch(new Request(new URL(path, "https://assets.invalid")));
    if (!res.ok) throw new Error(`asset ${path}: ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  },
  // write and close stream a response's body after a streamed respond.
  async write(env, stream, chunk) {
    await stream.writer.write(chunk);
    return null;
  },
  async close(env, stream) {
    await stream.writer.close();
    return null;
  },
  // abort errors a streamed body: the client sees the response fail, not
  // end (an answer cut off midway).
  async abort(env, stream) {
    await stream.writer.abort(new Error("the answer was cut off: the worker's log says why"));
    return null;
  },
  // stream makes the body of a streamed response.
  stream() {
    const { readable, writable } = new TransformStream();
    return { readable, writer: writable.getWriter() };
  },
};

function db(env, binding) {
  const d = env[binding];
  if (!d) throw new Error(`no D1 binding ${binding}`);
  return d;
}

function blobless(_, v) {
  if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) throw new Error("a BLOB column: Winnow stores none");
  return v;
}

// flatten writes headers as "name\0value\0..." for one crossing into Go.
export function flatten(headers) {
  let s = "";
  for (const [k, v] of headers) s += k + "\0" + v + "\0";
  return s;
}

export function unflatten(s) {
  const h = new Headers();
  const parts = s.split("\0");
  for (let i = 0; i + 1 < parts.length; i += 2) h.append(parts[i], parts[i + 1]);
  return h;
}

class TooLarge extends Error {}

// readBody reads a request's body, at most MAX_BODY bytes: whole when its
// length is declared, else a chunk at a time until the limit.
async function readBody(request) {
  if (!request.body) return null;
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > MAX_BODY) throw new TooLarge();
  if (declared !== null) return new Uint8Array(await request.arrayBuffer());
  const reader = request.body.getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.byteLength;
    if (n > MAX_BODY) {
      reader.cancel();
      throw new TooLarge();
    }
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const nullBody = new Set([101, 204, 205, 304]);

// respond makes Go's answer [status, headers, body, stream] a Response.
function respond(request, [status, headers, body, stream]) {
  const init = { status, headers: unflatten(headers) };
  if (nullBody.has(status) || request.method === "HEAD") return new Response(null, init);
  return new Response(stream ? stream.readable : body, init);
}

function json(status, body) {
  return new Response(JSON.stringify(body) + "\n", {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}
