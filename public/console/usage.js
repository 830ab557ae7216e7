// The Usage page, from GET /v1/stats: totals as tiles, charts over the picked time range, the
// gateway's own overhead per route (when the deployment reports it), the models table and each
// namespace's document and chunk counts.
import { $, api, bar, el, fmt, isNum } from "./core.js";
import { drawChart } from "./chart.js";

let rangeSeconds = 1800;
let last = null;

function tile(label, value, hint) {
  const key = label.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return el(
    "li",
    { class: "tile", "data-tile": key },
    el("span", { class: "tile-label" }, label),
    el("span", { class: "tile-value" }, value),
    el("span", { class: "tile-hint" }, hint),
  );
}

/** Exactly twelve tiles: the grid's 6, 4, 3 and 2 columns all divide twelve (no holes). */
function tiles(stats, window) {
  const answer = stats.cache?.answer ?? stats.caches?.answer ?? {};
  const sum = (key) => window.reduce((n, p) => n + (isNum(p[key]) ? p[key] : 0), 0);
  const requestsInRange = window.reduce((n, p) => n + p.request_rate * p.seconds, 0);
  const errors = stats.requests?.by_status_class ?? {};
  const total = stats.requests?.total ?? 0;
  const errorShare = total > 0 ? ((errors["5xx"] ?? 0) + (errors["4xx"] ?? 0)) / total : null;
  $("tiles").replaceChildren(
    tile(
      "Requests",
      fmt.compact(stats.requests?.total),
      `${fmt.compact(requestsInRange)} in range`,
    ),
    tile("Request rate", fmt.rate(window.at(-1)?.request_rate), "last 5 s"),
    tile(
      "Errors",
      fmt.pct(errorShare),
      `${fmt.int(errors["5xx"] ?? 0)} 5xx · ${fmt.int(errors["4xx"] ?? 0)} 4xx`,
    ),
    tile("Latency p50", fmt.seconds(stats.latency_seconds?.p50), "all traffic"),
    tile("Latency p95", fmt.seconds(stats.latency_seconds?.p95), "all traffic"),
    tile(
      "Cache hit rate",
      (answer.lookups ?? 0) > 0 ? fmt.pct(answer.hit_rate?.total ?? answer.hit_rate) : "–",
      `${fmt.compact(answer.lookups)} lookups`,
    ),
    tile(
      "Tokens",
      fmt.compact((stats.tokens?.in ?? 0) + (stats.tokens?.out ?? 0)),
      `${fmt.compact(sum("tokens"))} in range`,
    ),
    tile("Spent", fmt.usd(stats.cost_usd), `${fmt.usd(sum("cost_usd"))} in range`),
    tile(
      "Saved",
      fmt.usd(stats.saved?.usd),
      `${fmt.compact(stats.saved?.tokens)} tokens by caches`,
    ),
    tile("Rate-limited", fmt.int(stats.rate_limited?.total), "requests refused"),
    tile("Degraded answers", fmt.int(stats.degraded_answers), "fell back"),
    tile(
      "Index",
      fmt.compact(stats.index?.documents),
      `${fmt.compact(stats.index?.chunks)} chunks`,
    ),
  );
}

function charts(history, from, to) {
  const at = (key) => history.map((p) => ({ t: p.t, v: p[key] }));
  const base = { from, to };
  drawChart($("chart-rate"), {
    ...base,
    title: "Requests per second",
    series: [{ name: "requests", points: at("request_rate") }],
    format: fmt.rate,
  });
  drawChart($("chart-latency"), {
    ...base,
    title: "Latency",
    series: [
      { name: "p50", points: at("p50_seconds") },
      { name: "p95", points: at("p95_seconds") },
    ],
    format: fmt.seconds,
  });
  const tiers = new Set();
  for (const p of history)
    for (const t of Object.keys(p.cache_hit_rate_by_tier ?? {})) tiers.add(t);
  drawChart($("chart-cache"), {
    ...base,
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
    ...base,
    title: "USD spent and saved",
    series: [
      { name: "spent", points: at("cost_usd") },
      { name: "saved", points: at("saved_usd") },
    ],
    format: fmt.usd,
  });
  drawChart($("chart-limits"), {
    ...base,
    title: "Limits and failures",
    series: [
      { name: "limited", points: at("rate_limited") },
      { name: "fallbacks", points: at("fallbacks") },
      { name: "failures", points: at("upstream_failures") },
    ],
    format: fmt.int,
  });
}

/** The gateway's own time per route (`overhead` in /v1/stats), p50 and p95 as bars. */
function overhead(stats) {
  const figure = $("overhead");
  const entries = Object.entries(stats.overhead ?? {}).filter(([, o]) => o && isNum(o.count));
  const title = el("figcaption", {}, el("span", { class: "chart-title" }, "Gateway overhead"));
  if (entries.length === 0) {
    figure.replaceChildren(
      title,
      el(
        "p",
        { class: "muted empty-chart" },
        "Not reported by this gateway: time spent outside the upstream providers appears here once measured.",
      ),
    );
    return;
  }
  const worst = Math.max(...entries.map(([, o]) => (isNum(o.p95_ms) ? o.p95_ms : 0)), 1);
  figure.replaceChildren(
    title,
    el(
      "table",
      { class: "overhead" },
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          el("th", { scope: "col" }, "Route"),
          el("th", { scope: "col", class: "num" }, "p50"),
          el("th", { scope: "col", class: "num" }, "p95"),
          el("th", { scope: "col" }, el("span", { class: "sr-only" }, "p95 bar")),
        ),
      ),
      el(
        "tbody",
        {},
        ...entries
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([route, o]) =>
            el(
              "tr",
              { title: `${fmt.int(o.count)} requests` },
              el("th", { scope: "row", class: "mono" }, route),
              el("td", { class: "num" }, fmt.ms(o.p50_ms)),
              el("td", { class: "num" }, fmt.ms(o.p95_ms)),
              el(
                "td",
                { class: "bar-cell" },
                bar(isNum(o.p95_ms) ? o.p95_ms / worst : 0, `p95 ${fmt.ms(o.p95_ms)}`),
              ),
            ),
          ),
      ),
    ),
  );
}

function models(stats) {
  const rows = Object.entries(stats.models ?? {}).sort(([a], [b]) => a.localeCompare(b));
  $("models")
    .querySelector("tbody")
    .replaceChildren(
      ...(rows.length === 0
        ? [el("tr", {}, el("td", { colspan: "9", class: "muted empty" }, "No model calls yet."))]
        : rows.map(([model, m]) => {
            const state = m.circuit_state;
            // Local models make no upstream calls: their upstream columns read "–", not 0.
            const upstream = (m.calls ?? 0) + (m.failures ?? 0) + (m.retries ?? 0) > 0;
            const up = (n) => (upstream ? fmt.int(n) : "–");
            return el(
              "tr",
              {},
              el("th", { scope: "row", class: "mono" }, model),
              el("td", { class: "num" }, fmt.int(m.answered ?? m.calls)),
              el(
                "td",
                { class: "num" },
                `${fmt.compact(m.tokens_in)} / ${fmt.compact(m.tokens_out)}`,
              ),
              el("td", { class: "num" }, fmt.usd(m.cost_usd)),
              el("td", { class: "num" }, up(m.calls)),
              el("td", { class: "num" }, up(m.failures)),
              el("td", { class: "num" }, up(m.retries)),
              el("td", { class: "num" }, fmt.int(m.fallbacks)),
              el(
                "td",
                {},
                state
                  ? el(
                      "span",
                      {
                        class: `badge ${state === "closed" ? "ok" : state === "open" ? "bad" : "warn"}`,
                      },
                      state.replace("_", "-"),
                    )
                  : "–",
              ),
            );
          })),
    );
}

/** Each live namespace's counts (`namespaces` in /v1/stats), `default` first, then those whose
 * size is not known yet (`namespaces_pending`), with dashes. */
function namespaces(stats) {
  const known = Array.isArray(stats.namespaces) ? stats.namespaces : [];
  const pending = Array.isArray(stats.namespaces_pending) ? stats.namespaces_pending : [];
  const rows = [...known, ...pending.map((name) => ({ name }))];
  $("namespaces")
    .querySelector("tbody")
    .replaceChildren(
      ...(rows.length === 0
        ? [el("tr", {}, el("td", { colspan: "4", class: "muted empty" }, "No namespaces."))]
        : rows.map((n) =>
            el(
              "tr",
              {},
              el("th", { scope: "row", class: "mono" }, fmt.text(n.name)),
              el("td", { class: "num" }, fmt.int(n.documents)),
              el("td", { class: "num" }, fmt.int(n.chunks)),
              el("td", { class: "num" }, fmt.int(n.version)),
            ),
          )),
    );
}

function render() {
  if (!last) return;
  const to = Date.now();
  const from = to - rangeSeconds * 1000;
  const history = (last.history ?? []).filter((p) => p.t >= from);
  tiles(last, history);
  charts(history, from, to);
  overhead(last);
  models(last);
  namespaces(last);
}

export async function loadUsage() {
  try {
    last = await api("/v1/stats");
    render();
    $("usage-status").textContent = `Updated ${fmt.clock(Date.now())}`;
  } catch (err) {
    $("usage-status").textContent = `Could not load stats (${err.message}).`;
  }
}

export function initUsage() {
  for (const b of document.querySelectorAll("[data-range]")) {
    b.addEventListener("click", () => {
      rangeSeconds = Number(b.dataset.range);
      for (const o of document.querySelectorAll("[data-range]")) {
        o.setAttribute("aria-pressed", String(o === b));
      }
      render();
    });
  }
}
