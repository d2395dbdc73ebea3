// A worker that answers from JavaScript alone what Winnow's Go worker
// answers on GET /healthz (one D1 query, a small JSON body): the floor
// bench/edgeperf compares the Go worker with.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== "/healthz") return new Response("not found", { status: 404 });
    await env.DB.prepare("SELECT 1").first();
    return new Response(JSON.stringify({ model: "js", ok: true }) + "\n", {
      headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
    });
  },
};
