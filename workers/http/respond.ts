// JSON responses with one content type everywhere.

/** A JSON response. */
export function json(body: unknown, init: ResponseInit = {}): Response {
  return jsonText(JSON.stringify(body), init);
}

/** A JSON response whose body is already serialised (`text` must be one JSON value). */
export function jsonText(text: string, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  return new Response(text, { ...init, headers });
}
