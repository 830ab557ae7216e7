// ragway dashboard: the playground (POST /v1/query) and live operations (GET /v1/stats every 5 s).
// Plain browser JavaScript, no build and no third-party code. Tokens live in sessionStorage only,
// are sent only to this origin, and every server value is written as text (never as HTML).

const REFRESH_MS = 5000;
const KEYS = { admin: "ragway.adminToken", api: "ragway.apiKey" };
const SVG = "http://www.w3.org/2000/svg";

const $ = (id) => document.getElementById(id);

const session = {
  get(key) {
    try {
      return sessionStorage.getItem(key) ?? "";
    } catch {
      return "";
    }
  },
  set(key, value) {
    try {
      sessionStorage.setItem(key, value);
    } catch {
      // storage disabled: the value lives in the input only
    }
  },
  remove(key) {
    try {
      sessionStorage.removeItem(key);
    } catch {
      // nothing stored
    }
  },
};

// ---------- formatting ----------

const isNum = (n) => typeof n === "number" && Number.isFinite(n);

const fmt = {
  int: (n) => (isNum(n) ? Math.round(n).toLocaleString("en-US") : "—"),
  usd: (n) => {
    if (!isNum(n)) return "—";
    if (n === 0) return "$0";
    if (Math.abs(n) < 0.01) return `$${n.toPrecision(2)}`;
    return `$${n.toFixed(2)}`;
  },
  ms: (seconds) => {
    if (!isNum(seconds)) return "—";
    const ms = seconds * 1000;
    return `${ms < 10 ? ms.toFixed(1) : Math.round(ms).toLocaleString("en-US")} ms`;
  },
  pct: (r) => (isNum(r) ? `${(r * 100).toFixed(r < 0.1 && r > 0 ? 1 : 0)}%` : "—"),
  rate: (r) => (isNum(r) ? `${r.toFixed(r < 10 ? 2 : 0)}/s` : "—"),
  time: (t) =>
    new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }),
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

// ---------- playground ----------

async function ask(event) {
  event.preventDefault();
  const question = $("question");
  const query = question.value.trim() || question.placeholder;
  question.value = query;
  const k = Math.min(20, Math.max(1, Number.parseInt($("k").value, 10) || 5));
  $("k").value = String(k);
  const body = {
    query,
    k,
    priority: $("priority").value,
    use_cache: $("use-cache").checked,
  };
  const headers = { "content-type": "application/json" };
  const key = $("api-key").value.trim();
  if (key) {
    session.set(KEYS.api, key);
    headers.authorization = `Bearer ${key}`;
  } else {
    session.remove(KEYS.api);
  }
  const status = $("ask-status");
  const button = $("ask");
  button.disabled = true;
  status.textContent = "Asking…";
  const started = performance.now();
  try {
    const res = await fetch("/v1/query", { method: "POST", headers, body: JSON.stringify(body) });
    const data = await res.json().catch(() => null);
    if (!res.ok || !data) {
      const message = data?.error?.message ?? res.statusText;
      status.textContent = `Error ${res.status}: ${message}`;
      return;
    }
    renderAnswer(data, performance.now() - started);
    status.textContent = `Answered in ${Math.round(performance.now() - started)} ms.`;
  } catch (err) {
    status.textContent = `Could not reach the gateway (${err.message}).`;
  } finally {
    button.disabled = false;
  }
}

/** The answer text with its [n] citations linked to the sources list. */
function answerNodes(answer, sources) {
  const nodes = [];
  for (const part of String(answer).split(/(\[\d+\])/)) {
    const m = /^\[(\d+)\]$/.exec(part);
    const n = m ? Number(m[1]) : 0;
    if (m && n >= 1 && n <= sources.length) {
      nodes.push(
        el("a", { href: `#source-${n}`, class: "cite", "aria-label": `source ${n}` }, part),
      );
    } else if (part) {
      nodes.push(document.createTextNode(part));
    }
  }
  return nodes;
}

function renderAnswer(data, roundTripMs) {
  const sources = Array.isArray(data.sources) ? data.sources : [];
  $("answer").replaceChildren(...answerNodes(data.answer ?? "", sources));
  const usage = data.usage ?? {};
  $("meta-model").textContent = `${data.model ?? "—"}${data.degraded ? " (degraded)" : ""}`;
  $("meta-cache").textContent = data.cache ?? (data.from_cache ? "HIT" : "MISS");
  $("meta-tokens").textContent =
    `${fmt.int(usage.prompt_tokens)} in · ${fmt.int(usage.completion_tokens)} out`;
  $("meta-cost").textContent = fmt.usd(usage.cost_usd);
  const server = data.timings?.total_ms;
  $("meta-latency").textContent =
    `${isNum(server) ? `${server} ms at the gateway · ` : ""}${Math.round(roundTripMs)} ms round trip`;
  const list = $("sources");
  list.replaceChildren(
    ...sources.map((s, i) => {
      const text = String(s.text ?? "");
      return el(
        "li",
        { id: `source-${i + 1}` },
        el("span", { class: "source-title" }, s.title || s.id || "untitled"),
        " ",
        el(
          "span",
          { class: "muted" },
          `${s.source ?? ""} · score ${Number(s.score ?? 0).toFixed(3)}`,
        ),
        el("p", {}, text.length > 320 ? `${text.slice(0, 320)}…` : text),
      );
    }),
  );
  $("result").hidden = false;
}

// ---------- charts ----------

/**
 * Draws a small line chart into a <figure>: one polyline per series, a dot per point, the y range
 * from 0 to the largest value, and a caption that states the latest values in words.
 */
function drawChart(figure, { title, series, format, max }) {
  const W = 320;
  const H = 150;
  const pad = { l: 46, r: 8, t: 10, b: 22 };
  const points = series.flatMap((s) => s.points);
  const latest = series
    .map((s) => {
      const last = [...s.points].reverse().find((p) => isNum(p.v));
      return `${s.name} ${last ? format(last.v) : "—"}`;
    })
    .join(" · ");
  const caption = el(
    "figcaption",
    {},
    el("span", { class: "chart-title" }, title),
    el("span", { class: "chart-latest" }, latest),
  );
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `${title}: ${latest}`);
  const ts = points.map((p) => p.t);
  const values = points.map((p) => p.v).filter(isNum);
  const top = max ?? Math.max(...values, 0) * 1.15;
  const yMax = top > 0 ? top : 1;
  const tMin = Math.min(...ts);
  const tMax = Math.max(...ts);
  const x = (t) =>
    pad.l +
    (tMax > tMin ? ((t - tMin) / (tMax - tMin)) * (W - pad.l - pad.r) : (W - pad.l - pad.r) / 2);
  const y = (v) => H - pad.b - (v / yMax) * (H - pad.t - pad.b);
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  add("line", { x1: pad.l, y1: y(0), x2: W - pad.r, y2: y(0), class: "axis" });
  add("line", { x1: pad.l, y1: y(yMax), x2: W - pad.r, y2: y(yMax), class: "grid" });
  add("text", { x: pad.l - 4, y: y(0) + 4, class: "tick", "text-anchor": "end" }, format(0));
  add("text", { x: pad.l - 4, y: y(yMax) + 4, class: "tick", "text-anchor": "end" }, format(yMax));
  if (ts.length === 0) {
    add(
      "text",
      { x: W / 2, y: H / 2, class: "empty", "text-anchor": "middle" },
      "collecting data…",
    );
  } else {
    add("text", { x: pad.l, y: H - 6, class: "tick" }, fmt.time(tMin));
    add("text", { x: W - pad.r, y: H - 6, class: "tick", "text-anchor": "end" }, fmt.time(tMax));
  }
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => isNum(p.v));
    if (pts.length > 1) {
      add("polyline", {
        points: pts.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" "),
        class: `line s${i}`,
      });
    }
    for (const p of pts)
      add("circle", { cx: x(p.t).toFixed(1), cy: y(p.v).toFixed(1), r: 2.5, class: `dot s${i}` });
  });
  const legend = el(
    "ul",
    { class: "legend" },
    ...series.map((s, i) =>
      el("li", {}, el("span", { class: `swatch s${i}`, "aria-hidden": "true" }), s.name),
    ),
  );
  figure.replaceChildren(caption, svg, legend);
}

// ---------- operations ----------

function tile(label, value, hint) {
  const key = label.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return el(
    "li",
    { class: "tile", "data-tile": key },
    el("span", { class: "tile-label" }, label),
    el("span", { class: "tile-value" }, value),
    el("span", { class: "tile-hint muted" }, hint ?? ""),
  );
}

function renderOps(stats) {
  const history = Array.isArray(stats.history) ? stats.history : [];
  const last = history[history.length - 1];
  // The answer cache's section: lookups, hits per tier, hit_rate per tier and in total.
  const answer = stats.cache?.answer ?? { lookups: 0, hits: {}, hit_rate: {} };
  $("tiles").replaceChildren(
    tile("Request rate", fmt.rate(last?.request_rate), "last interval"),
    tile("Requests", fmt.int(stats.requests?.total), `${fmt.int(stats.requests?.errors_5xx)} 5xx`),
    tile("Latency p50", fmt.ms(stats.latency_seconds?.p50), "since start"),
    tile("Latency p95", fmt.ms(stats.latency_seconds?.p95), "since start"),
    tile(
      "Answer cache hit rate",
      answer.lookups > 0 ? fmt.pct(answer.hit_rate?.total) : "—",
      `${fmt.int(answer.lookups)} lookups`,
    ),
    tile(
      "Tokens spent",
      fmt.int((stats.tokens?.in ?? 0) + (stats.tokens?.out ?? 0)),
      `${fmt.int(stats.saved?.tokens)} saved`,
    ),
    tile("USD spent", fmt.usd(stats.cost_usd), "model calls"),
    tile("USD saved", fmt.usd(stats.saved?.usd), "by caches"),
    tile("Rate-limited", fmt.int(stats.rate_limited?.total), "requests refused"),
    tile("Index", fmt.int(stats.index?.documents), `${fmt.int(stats.index?.chunks)} chunks`),
  );
  const at = (key) => history.map((p) => ({ t: p.t, v: p[key] }));
  drawChart($("chart-rate"), {
    title: "Request rate",
    series: [{ name: "requests", points: at("request_rate") }],
    format: fmt.rate,
  });
  drawChart($("chart-latency"), {
    title: "Latency",
    series: [
      { name: "p50", points: at("p50_seconds") },
      { name: "p95", points: at("p95_seconds") },
    ],
    format: fmt.ms,
  });
  const tiers = new Set(Object.keys(answer.hits ?? {}));
  for (const p of history)
    for (const t of Object.keys(p.cache_hit_rate_by_tier ?? {})) tiers.add(t);
  drawChart($("chart-cache"), {
    title: "Cache hit rate",
    series: [
      { name: "all tiers", points: at("cache_hit_rate") },
      ...[...tiers].sort().map((tier) => ({
        name: tier,
        points: history.map((p) => ({ t: p.t, v: p.cache_hit_rate_by_tier?.[tier] ?? null })),
      })),
    ],
    format: fmt.pct,
    max: 1,
  });
  drawChart($("chart-spend"), {
    title: "USD spent and saved",
    series: [
      { name: "spent", points: at("cost_usd") },
      { name: "saved", points: at("saved_usd") },
    ],
    format: fmt.usd,
  });
  drawChart($("chart-limits"), {
    title: "Limits and fallbacks",
    series: [
      { name: "rate-limited", points: at("rate_limited") },
      { name: "fallbacks", points: at("fallbacks") },
      { name: "upstream failures", points: at("upstream_failures") },
    ],
    format: fmt.int,
  });
  const rows = Object.entries(stats.models ?? {}).sort(([a], [b]) => a.localeCompare(b));
  $("models")
    .querySelector("tbody")
    .replaceChildren(
      ...(rows.length === 0
        ? [el("tr", {}, el("td", { colspan: "8", class: "muted" }, "No model calls yet."))]
        : rows.map(([model, m]) => {
            // Models without a breaker (the local provider) report no state.
            const state = m.circuit_state ?? "none";
            return el(
              "tr",
              {},
              el("th", { scope: "row" }, model),
              el("td", {}, `${fmt.int(m.tokens_in)} / ${fmt.int(m.tokens_out)}`),
              el("td", {}, fmt.usd(m.cost_usd)),
              el("td", {}, fmt.int(m.calls)),
              el("td", {}, fmt.int(m.failures)),
              el("td", {}, fmt.int(m.retries)),
              el("td", {}, fmt.int(m.fallbacks)),
              el(
                "td",
                {},
                state === "none"
                  ? "—"
                  : el("span", { class: `badge ${state}` }, state.replace("_", "-")),
              ),
            );
          })),
    );
  $("ops").hidden = false;
}

let timer = null;

async function refresh() {
  const token = session.get(KEYS.admin);
  const status = $("ops-status");
  if (!token) return;
  try {
    const res = await fetch("/v1/stats", {
      headers: { authorization: `Bearer ${token}` },
      cache: "no-store",
    });
    if (res.status === 401) {
      status.textContent = "The gateway refused this admin token.";
      stop();
      return;
    }
    if (!res.ok) {
      status.textContent = `Stats unavailable (HTTP ${res.status}); retrying.`;
      return;
    }
    renderOps(await res.json());
    status.textContent = `Updated ${new Date().toLocaleTimeString()}; refreshing every ${REFRESH_MS / 1000} s.`;
  } catch (err) {
    status.textContent = `Cannot reach the gateway (${err.message}); retrying.`;
  }
}

function start() {
  stop();
  void refresh();
  timer = setInterval(() => void refresh(), REFRESH_MS);
}

function stop() {
  if (timer !== null) clearInterval(timer);
  timer = null;
}

function connect(event) {
  event.preventDefault();
  const token = $("admin-token").value.trim();
  if (!token) {
    $("ops-status").textContent = "Enter the admin token first.";
    return;
  }
  session.set(KEYS.admin, token);
  $("ops-status").textContent = "Connecting…";
  start();
}

function forget() {
  session.remove(KEYS.admin);
  $("admin-token").value = "";
  stop();
  $("ops").hidden = true;
  $("ops-status").textContent = "Token forgotten. Enter the admin token to see live figures.";
}

function init() {
  $("ask-form").addEventListener("submit", (e) => void ask(e));
  $("token-form").addEventListener("submit", connect);
  $("forget").addEventListener("click", forget);
  $("api-key").value = session.get(KEYS.api);
  const token = session.get(KEYS.admin);
  if (token) {
    $("admin-token").value = token;
    start();
  }
}

init();
