// The console's small toolkit: DOM building (text only, never HTML), number formats that never
// print "null" or "NaN", the tab's session credentials, and one fetch helper for this origin.

export const $ = (id) => document.getElementById(id);

/** Builds an element; children are nodes or strings (strings become text, never markup). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export const isNum = (n) => typeof n === "number" && Number.isFinite(n);
const DASH = "–";

export const fmt = {
  int: (n) => (isNum(n) ? Math.round(n).toLocaleString("en-US") : DASH),
  compact: (n) => {
    if (!isNum(n)) return DASH;
    if (Math.abs(n) < 10_000) return Math.round(n).toLocaleString("en-US");
    return new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 }).format(
      n,
    );
  },
  usd: (n) => {
    if (!isNum(n)) return DASH;
    if (n === 0) return "$0";
    if (Math.abs(n) < 0.01) return `$${n.toPrecision(2)}`;
    return `$${n.toFixed(2)}`;
  },
  ms: (ms) => {
    if (!isNum(ms)) return DASH;
    if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
    return `${ms < 10 ? ms.toFixed(1) : Math.round(ms).toLocaleString("en-US")} ms`;
  },
  seconds: (s) => (isNum(s) ? fmt.ms(s * 1000) : DASH),
  pct: (r) => (isNum(r) ? `${(r * 100).toFixed(r < 0.1 && r > 0 ? 1 : 0)}%` : DASH),
  rate: (r) => (isNum(r) ? `${r.toFixed(r < 10 ? 2 : 0)}/s` : DASH),
  clock: (t) =>
    new Date(t).toLocaleTimeString("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }),
  date: (t) =>
    new Date(t).toLocaleString("en-GB", {
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
    }),
  ago: (t) => {
    const s = Math.max(0, Math.round((Date.now() - new Date(t).getTime()) / 1000));
    if (s < 60) return `${s}s ago`;
    if (s < 3600) return `${Math.floor(s / 60)}m ago`;
    if (s < 86_400) return `${Math.floor(s / 3600)}h ago`;
    return `${Math.floor(s / 86_400)}d ago`;
  },
  text: (v) => (v === undefined || v === null || v === "" ? DASH : String(v)),
};

const KEYS = { admin: "ragway.adminToken", api: "ragway.apiKey" };

function stored(key) {
  try {
    return sessionStorage.getItem(key) ?? "";
  } catch {
    return "";
  }
}

function store(key, value) {
  try {
    if (value) sessionStorage.setItem(key, value);
    else sessionStorage.removeItem(key);
  } catch {
    // storage disabled: the value lives in the input only
  }
}

/** The tab's credentials (sessionStorage only: never localStorage, never cookies). */
export const credentials = {
  admin: () => stored(KEYS.admin),
  api: () => stored(KEYS.api),
  set(admin, api) {
    store(KEYS.admin, admin);
    store(KEYS.api, api);
  },
};

/** An HTTP failure with the gateway's error message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Calls this origin with the admin token (`as: "admin"`) or the API key (`as: "key"`, none sent
 * when unset) and returns the parsed JSON; throws ApiError with the gateway's message.
 */
export async function api(path, { as = "admin", method = "GET", body } = {}) {
  const headers = {};
  const token = as === "admin" ? credentials.admin() : credentials.api();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    cache: "no-store",
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const data = await res.json().catch(() => undefined);
  if (!res.ok) {
    const message = data?.error?.message ?? res.statusText ?? "request failed";
    throw new ApiError(res.status, `${res.status}: ${message}`);
  }
  return data;
}

/** The URL path of a document id: ids may contain "/", which stays a separator. */
export const documentPath = (id) =>
  `/v1/documents/${id.split("/").map(encodeURIComponent).join("/")}`;

/** Fills a <dl> with label/value pairs; values that are nodes are kept as they are. */
export function fillPairs(dl, pairs) {
  dl.replaceChildren(
    ...pairs
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) =>
        el("div", {}, el("dt", {}, k), el("dd", {}, v instanceof Node ? v : fmt.text(v))),
      ),
  );
}

/** Wires a <dialog>'s [data-close] buttons and closes it on a backdrop click. */
export function wireDialog(dialog) {
  for (const b of dialog.querySelectorAll("[data-close]")) {
    b.addEventListener("click", () => dialog.close());
  }
  dialog.addEventListener("click", (e) => {
    if (e.target === dialog) dialog.close();
  });
}

/** A status badge: 2xx green, 4xx amber, 5xx red. */
export function statusBadge(status) {
  const cls = status >= 500 ? "bad" : status >= 400 ? "warn" : "ok";
  return el("span", { class: `badge ${cls}` }, String(status));
}

/** A small horizontal bar with `share` (0..1) filled; the width is set through CSSOM, which
 * the Content-Security-Policy allows (inline style attributes are not). */
export function bar(share, label) {
  const fill = el("span", { class: "bar-fill" });
  fill.style.setProperty("--w", `${Math.max(0, Math.min(1, isNum(share) ? share : 0)) * 100}%`);
  return el("span", { class: "bar", role: "img", "aria-label": label, title: label }, fill);
}
