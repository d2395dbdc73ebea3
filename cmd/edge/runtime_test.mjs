// Tests of the worker's runtime (runtime.mjs) with stand-ins for the Go
// program: `node --test cmd/edge/` (make test runs it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Runtime, MAX_BODY, KEEP_ALIVE_MS, flatten, unflatten } from "./runtime.mjs";

// fakeGo is a start function whose programs answer fetches with serve
// (port, call) → Promise<[status, headers, body]>, calling I/O through the
// port as the Go side does.
function fakeGo(serve, log = []) {
  const programs = [];
  const start = async (env) => {
    let exit;
    const exited = new Promise((resolve, reject) => (exit = { resolve, reject }));
    const program = { env, exit, events: 0 };
    programs.push(program);
    const handlers = {
      fetch(port) {
        program.events++;
        if (program.trap) throw new Error("RuntimeError: unreachable");
        const waiting = new Map();
        let next = 0;
        port.complete = (id, value, err) => {
          const w = waiting.get(id);
          waiting.delete(id);
          err ? w.reject(new Error(err)) : w.resolve(value);
        };
        const call = (op, ...args) =>
          new Promise((resolve, reject) => {
            const id = next++;
            waiting.set(id, { resolve, reject });
            port.submit(id, op, args);
          });
        serve(port, call, program).then(
          (answer) => {
            if (answer) port.submit(-1, "respond", [answer]);
            port.submit(-1, "end", []);
          },
          (err) => log.push(err),
        );
      },
      scheduled(port) {
        port.complete = () => {};
        port.submit(-1, "respond", [program.failCron || null]);
        port.submit(-1, "end", []);
      },
      queue(port) {
        port.complete = () => {};
        port.submit(-1, "respond", [port.messages.filter(([, body]) => body === "retry").map((m, i) => [port.messages.indexOf(m), 7])]);
        port.submit(-1, "end", []);
      },
    };
    return { handlers, exited };
  };
  return { start, programs };
}

const quiet = { error() {} };
const ctx = () => {
  const kept = [];
  return { waitUntil: (p) => kept.push(p), kept };
};
const text = (s) => new TextEncoder().encode(s);

test("one program serves every event, each with its own answer", async () => {
  const go = fakeGo(async (port) => [200, "content-type\0text/plain\0", text(port.head.split("\0")[1])]);
  const rt = new Runtime(go.start, quiet);
  const urls = Array.from({ length: 20 }, (_, i) => `https://w.example/p/${i}`);
  const answers = await Promise.all(urls.map((u) => rt.fetch(new Request(u), {}, ctx())));
  assert.deepEqual(await Promise.all(answers.map((r) => r.text())), urls);
  assert.equal(go.programs.length, 1);
  assert.equal(go.programs[0].events, 20);
  assert.equal(answers[0].headers.get("content-type"), "text/plain");
});

test("I/O runs with the event's own env, concurrently", async () => {
  const go = fakeGo(async (port, call) => {
    const [a, b] = await Promise.all([call("query", "DB", '["SELECT ?",[1]]'), call("query", "DB", '["SELECT ?",[2]]')]);
    return [200, "", text(a + "|" + b)];
  });
  const rt = new Runtime(go.start, quiet);
  const env = (name) => ({
    DB: {
      prepare: (sql) => ({
        bind: (...args) => ({ raw: async () => [["who", "arg"], [name, args[0]]] }),
      }),
    },
  });
  const [x, y] = await Promise.all([rt.fetch(new Request("https://w.example/"), env("x"), ctx()), rt.fetch(new Request("https://w.example/"), env("y"), ctx())]);
  assert.equal(await x.text(), '[["who","arg"],["x",1]]|[["who","arg"],["x",2]]');
  assert.equal(await y.text(), '[["who","arg"],["y",1]]|[["who","arg"],["y",2]]');
});

test("a failed operation is an error for Go, not for the event", async () => {
  const go = fakeGo(async (port, call) => {
    try {
      await call("query", "NOPE", '["SELECT 1",[]]');
      return [200, "", text("no error")];
    } catch (err) {
      return [500, "", text(err.message)];
    }
  });
  const res = await new Runtime(go.start, quiet).fetch(new Request("https://w.example/"), {}, ctx());
  assert.equal(res.status, 500);
  assert.equal(await res.text(), "no D1 binding NOPE");
});

test("the event lives until Go ends it: work after the response is kept", async () => {
  let finish;
  const go = fakeGo(async (port, call) => {
    port.submit(-1, "respond", [[202, "", text("accepted")]]);
    await new Promise((r) => (finish = r));
    await call("send", "Q", ["m1"]);
    return null;
  });
  const sent = [];
  const c = ctx();
  const res = await new Runtime(go.start, quiet).fetch(new Request("https://w.example/"), { Q: { sendBatch: async (m) => sent.push(...m) } }, c);
  assert.equal(res.status, 202);
  assert.equal(c.kept.length, 1);
  finish();
  await c.kept[0];
  assert.deepEqual(sent, [{ body: "m1" }]);
});

test("a program that exits is replaced, and its events answer 503", async () => {
  let hold;
  const go = fakeGo(async (port, call, program) => {
    if (port.head.split("\0")[1].endsWith("/hang")) await new Promise((r) => (hold = r));
    return [200, "", text("ok")];
  });
  const rt = new Runtime(go.start, quiet);
  const hanging = rt.fetch(new Request("https://w.example/hang"), {}, ctx());
  await new Promise((r) => setTimeout(r, 10));
  go.programs[0].exit.resolve(); // the Go program exits
  const res = await hanging;
  assert.equal(res.status, 503);
  assert.equal((await res.json()).code, "unavailable");
  const after = await rt.fetch(new Request("https://w.example/"), {}, ctx());
  assert.equal(await after.text(), "ok");
  assert.equal(go.programs.length, 2);
});

test("a trap while calling into Go kills the program", async () => {
  const go = fakeGo(async () => [200, "", text("ok")]);
  const rt = new Runtime(go.start, quiet);
  await rt.fetch(new Request("https://w.example/"), {}, ctx());
  go.programs[0].trap = true;
  const res = await rt.fetch(new Request("https://w.example/"), {}, ctx());
  assert.equal(res.status, 503);
  assert.equal(await (await rt.fetch(new Request("https://w.example/"), {}, ctx())).text(), "ok");
  assert.equal(go.programs.length, 2);
});

test("a program that fails to start fails the event, and the next one tries again", async () => {
  let fails = 1;
  const go = fakeGo(async () => [200, "", text("ok")]);
  const start = async (env) => {
    if (fails-- > 0) throw new Error("no D1 binding");
    return go.start(env);
  };
  const rt = new Runtime(start, quiet);
  assert.equal((await rt.fetch(new Request("https://w.example/"), {}, ctx())).status, 503);
  assert.equal((await rt.fetch(new Request("https://w.example/"), {}, ctx())).status, 200);
});

test("a streamed response", async () => {
  const go = fakeGo(async (port, call) => {
    const stream = await call("stream");
    port.submit(-1, "respond", [[200, "content-type\0text/csv\0", null, stream]]);
    for (const line of ["a,b\n", "1,2\n"]) await call("write", stream, text(line));
    await call("close", stream);
    return null;
  });
  const res = await new Runtime(go.start, quiet).fetch(new Request("https://w.example/export"), {}, ctx());
  assert.equal(res.headers.get("content-type"), "text/csv");
  assert.equal(await res.text(), "a,b\n1,2\n");
});

test("bodies: passed whole, refused over the limit, none for HEAD and 204", async () => {
  const go = fakeGo(async (port) => [port.head.startsWith("DELETE\0") ? 204 : 200, "", port.body]);
  const rt = new Runtime(go.start, quiet);
  const res = await rt.fetch(new Request("https://w.example/", { method: "POST", body: "name=Ada" }), {}, ctx());
  assert.equal(await res.text(), "name=Ada");
  const big = await rt.fetch(new Request("https://w.example/", { method: "POST", body: new Uint8Array(MAX_BODY + 1) }), {}, ctx());
  assert.equal(big.status, 413);
  const streamed = new ReadableStream({
    pull(c) {
      c.enqueue(new Uint8Array(256 << 10));
    },
  });
  const chunked = await rt.fetch(new Request("https://w.example/", { method: "POST", body: streamed, duplex: "half" }), {}, ctx());
  assert.equal(chunked.status, 413);
  const none = await rt.fetch(new Request("https://w.example/", { method: "DELETE", body: "x" }), {}, ctx());
  assert.equal(none.status, 204);
  assert.equal(await none.text(), "");
});

test("an event whose Go waits for another event's I/O is kept alive by a timer", async () => {
  // workerd cancels an event with nothing of its own pending as hung: an
  // event whose Go code waits for a lock another event holds across its
  // read must keep a timer pending, and no timer once it goes on.
  const realSet = globalThis.setTimeout, realClear = globalThis.clearTimeout;
  const alive = new Set();
  globalThis.setTimeout = (fn, ms, ...a) => {
    const t = realSet(() => (alive.delete(t), fn(...a)), ms);
    if (ms === KEEP_ALIVE_MS) alive.add(t);
    return t;
  };
  globalThis.clearTimeout = (t) => (alive.delete(t), realClear(t));
  try {
    let unlock, slowRow;
    const lock = new Promise((r) => (unlock = r)); // held by event a across its read
    const go = fakeGo(async (port, call) => {
      const who = port.head.split("\0")[1].slice(-1);
      await call("query", "DB", '["SELECT 1",[]]');
      if (who === "a") unlock();
      else await lock;
      return [200, "", text(who)];
    });
    const db = (rows) => ({ DB: { prepare: () => ({ bind: () => ({ raw: () => rows }) }) } });
    const rt = new Runtime(go.start, quiet);
    const a = rt.fetch(new Request("https://w.example/a"), db(new Promise((r) => (slowRow = r))), ctx());
    const b = rt.fetch(new Request("https://w.example/b"), db(Promise.resolve([["x"], [1]])), ctx());
    await new Promise((r) => realSet(r, 20)); // b has read, and waits for a's lock; a reads
    assert.equal(alive.size, 1, "the waiting event keeps one timer pending, the reading one none");
    slowRow([["x"], [1]]);
    assert.deepEqual(await Promise.all([(await a).text(), (await b).text()]), ["a", "b"]);
    await new Promise((r) => realSet(r, 5));
    assert.equal(alive.size, 0, "no timer is left once the events end");
  } finally {
    globalThis.setTimeout = realSet;
    globalThis.clearTimeout = realClear;
  }
});

test("the cron event fails with Go's message", async () => {
  const go = fakeGo(async () => null);
  const rt = new Runtime(go.start, quiet);
  await rt.scheduled({ cron: "* * * * *", scheduledTime: 0 }, {}, ctx());
  go.programs[0].failCron = "d1: the database is locked";
  await assert.rejects(rt.scheduled({ cron: "* * * * *", scheduledTime: 0 }, {}, ctx()), /database is locked/);
});

test("a queue batch: Go's retries retried, the rest acknowledged", async () => {
  const go = fakeGo(async () => null);
  const done = [];
  const msg = (id, body) => ({ id, body, attempts: 1, ack: () => done.push(["ack", id]), retry: (o) => done.push(["retry", id, o.delaySeconds]) });
  await new Runtime(go.start, quiet).queue({ queue: "q", messages: [msg("a", "x"), msg("b", "retry"), msg("c", "y")] }, {}, ctx());
  assert.deepEqual(done, [["ack", "a"], ["retry", "b", 7], ["ack", "c"]]);
});

test("headers cross as one string", () => {
  const h = new Headers([["a", "1"], ["set-cookie", "x=1"], ["set-cookie", "y=2"]]);
  const back = unflatten(flatten(h));
  assert.equal(back.get("a"), "1");
  assert.deepEqual(back.getSetCookie(), ["x=1", "y=2"]);
});
