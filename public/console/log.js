// The Requests page: the last requests from GET /admin/requests, filtered by status, route and
// key, refreshed every 5 s while "Live" is on; a row opens the request's detail.
import { $, api, el, fillPairs, fmt, statusBadge, wireDialog } from "./core.js";

const PAGE = 100;
let rows = [];
let nextBefore = null;
let keyNames = new Map();
/** Older pages were loaded: live refresh would drop them, so it pauses. */
let pagedOlder = false;

function query(before) {
  const p = new URLSearchParams({ limit: String(PAGE) });
  for (const id of ["log-status-filter", "log-route-filter", "log-key-filter"]) {
    const select = $(id);
    if (select.value) p.set(select.name, select.value);
  }
  if (before) p.set("before", before);
  return `/admin/requests?${p}`;
}

/** Keeps a <select>'s options in step with the values the log holds, keeping the choice. */
function syncOptions(select, allLabel, values) {
  const current = select.value;
  const options = [el("option", { value: "" }, allLabel)];
  const seen = new Set();
  for (const { value, label } of values) {
    seen.add(value);
    options.push(el("option", { value }, label));
  }
  if (current && !seen.has(current)) options.push(el("option", { value: current }, current));
  select.replaceChildren(...options);
  select.value = current;
}

const keyLabel = (r) => {
  if (r.key_name) return r.key_name;
  if (!r.principal_id) return "–";
  if (r.principal_id.startsWith("anon_")) return "anonymous";
  return r.principal_id;
};

function row(r, index) {
  const overhead =
    r.overhead_ms === null || r.overhead_ms === undefined ? "–" : fmt.ms(r.overhead_ms);
  return el(
    "tr",
    { tabindex: "0", "data-index": index, "aria-label": `${r.method} ${r.route} ${r.status}` },
    el("td", { class: "mono nowrap", title: r.time }, fmt.clock(r.time)),
    el("td", {}, statusBadge(r.status)),
    el("td", { class: "route" }, el("span", { class: "method" }, r.method), " ", r.route),
    el("td", { class: "c-key ellipsis" }, keyLabel(r)),
    el("td", { class: "c-model ellipsis" }, fmt.text(r.model)),
    el(
      "td",
      { class: "c-cache" },
      r.cache
        ? el("span", { class: `tag ${r.cache.startsWith("HIT") ? "hit" : ""}` }, r.cache)
        : "–",
    ),
    el("td", { class: "num c-tokens" }, fmt.int(r.tokens)),
    el("td", { class: "num c-cost" }, fmt.usd(r.cost_usd)),
    el("td", { class: "num" }, fmt.ms(r.latency_ms)),
    el("td", { class: "num c-overhead" }, overhead),
  );
}

function render() {
  const body = $("log-table").querySelector("tbody");
  if (rows.length === 0) {
    body.replaceChildren(
      el(
        "tr",
        {},
        el(
          "td",
          { colspan: "10", class: "muted empty" },
          "No requests match. Send one from the Playground.",
        ),
      ),
    );
  } else {
    body.replaceChildren(...rows.map(row));
  }
  $("log-more").hidden = nextBefore === null;
}

function showDetail(r) {
  $("log-detail-title").textContent = `${r.method} ${r.route}`;
  const detail = Object.entries(r.detail ?? {}).map(([k, v]) => [
    k.replaceAll("_", " "),
    String(v),
  ]);
  fillPairs($("log-detail-body"), [
    ["Request id", el("code", {}, r.id)],
    ["Time", new Date(r.time).toLocaleString("en-GB")],
    ["Status", statusBadge(r.status)],
    ["Key", r.key_name ? `${r.key_name} (${r.principal_id})` : fmt.text(r.principal_id)],
    ["Model", r.model],
    ["Cache", r.cache],
    ["Tokens", fmt.int(r.tokens)],
    ["Cost", fmt.usd(r.cost_usd)],
    ["Latency", fmt.ms(r.latency_ms)],
    ["Gateway overhead", r.overhead_ms === null ? "not measured" : fmt.ms(r.overhead_ms)],
    ...detail,
    ["Question", r.query ?? (logQueries ? undefined : "not recorded (LOG_QUERIES=false)")],
  ]);
  $("log-detail").showModal();
}

let logQueries = false;

/** Loads the newest page (replacing) or the next older one (appending). */
export async function loadLog({ older = false } = {}) {
  const status = $("log-status");
  try {
    const page = await api(query(older ? nextBefore : null));
    keyNames = new Map(page.keys.map((k) => [k.id, k.name]));
    logQueries = page.log_queries;
    rows = older ? [...rows, ...page.data] : page.data;
    pagedOlder = older;
    nextBefore = page.next_before;
    syncOptions(
      $("log-route-filter"),
      "All routes",
      page.routes.map((r) => ({ value: r, label: r })),
    );
    syncOptions(
      $("log-key-filter"),
      "All keys",
      page.keys.map((k) => ({
        value: k.id,
        label: k.name ?? (k.id.startsWith("anon_") ? `anonymous ${k.id.slice(5, 11)}` : k.id),
      })),
    );
    render();
    const r = page.retention;
    $("log-retention").textContent =
      `Keeps the last ${fmt.int(r.max_records)} requests of the last ${r.max_age_seconds / 3600} h.`;
    status.textContent = `${fmt.int(rows.length)} shown · updated ${fmt.clock(Date.now())}`;
  } catch (err) {
    status.textContent = `Could not load requests (${err.message}).`;
  }
}

/** Filters the log to one key (from the Keys page). */
export function filterByKey(id) {
  const select = $("log-key-filter");
  if (![...select.options].some((o) => o.value === id)) {
    select.append(el("option", { value: id }, keyNames.get(id) ?? id));
  }
  select.value = id;
}

export const isLive = () => $("log-live").checked && !pagedOlder;

export function initLog() {
  wireDialog($("log-detail"));
  $("log-filters").addEventListener("change", (e) => {
    if (e.target.id !== "log-live") void loadLog();
  });
  $("log-filters").addEventListener("submit", (e) => e.preventDefault());
  $("log-more").addEventListener("click", () => void loadLog({ older: true }));
  const open = (target) => {
    const tr = target.closest("tr[data-index]");
    const r = tr ? rows[Number(tr.dataset.index)] : undefined;
    if (r) showDetail(r);
  };
  const body = $("log-table").querySelector("tbody");
  body.addEventListener("click", (e) => open(e.target));
  body.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      open(e.target);
    }
  });
}
