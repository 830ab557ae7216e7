// The floor ragway's request path is measured against: a bare Worker in the same wrangler that
// forwards POST /v1/chat/completions to the same upstream as is (streams included) and answers
// anything else with a constant JSON body. No auth, no limits, no caches, no metrics. A request
// with `x-log-line: 1` also writes one JSON console line, as ragway writes one per response: a
// reference for what that line costs under wrangler dev, where each travels the V8 inspector.

interface BaselineEnv {
  UPSTREAM_URL: string;
}

const CONSTANT = JSON.stringify({ answer: "constant", from_cache: true });

export default {
  async fetch(request: Request, env: BaselineEnv): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (request.headers.get("x-log-line") === "1") {
      const time = new Date().toISOString();
      console.log(JSON.stringify({ level: "info", event: "request", time, path: pathname }));
    }
    if (request.method === "POST" && pathname === "/v1/chat/completions") {
      return fetch(`${env.UPSTREAM_URL}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
        body: request.body,
      });
    }
    return new Response(CONSTANT, { headers: { "content-type": "application/json" } });
  },
};
