// Refuses to send an API key in clear text. `http://` is fine to this machine (the quick start's
// `npm run dev`), but anywhere else the key would cross a network anyone on the path can read.
// `--insecure` says the operator knows (a private network, a TLS-terminating sidecar).

/** Host names that never leave this machine. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "::1" ||
    /^127(?:\.\d{1,3}){3}$/.test(host)
  );
}

/**
 * Why sending `key` to `url` is refused, or null when it is fine: https, a loopback host, no key,
 * or `insecure` set.
 *
 * @example
 * plainHttpProblem("http://10.0.0.5:8787", "rgw_...", false); // "refusing to send the API key ..."
 * plainHttpProblem("http://127.0.0.1:8787", "rgw_...", false); // null
 */
export function plainHttpProblem(
  url: string,
  key: string | null,
  insecure: boolean,
): string | null {
  if (key === null || insecure) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null; // the URL's own validation reports it
  }
  if (parsed.protocol !== "http:" || isLoopback(parsed.hostname)) return null;
  return (
    `refusing to send the API key over plain http:// to ${parsed.host}: anyone on the network ` +
    "could read it. Use https://, or pass --insecure if this network is trusted"
  );
}
