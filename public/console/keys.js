// The Keys page: create a key (its secret shown once, with a copy button), list keys with their
// limits and what they used (GET /admin/keys), revoke, and jump to a key's requests.
import { $, api, bar, el, fmt, isNum } from "./core.js";

let onShowRequests = () => {};

const number = (id) => {
  const v = $(id).value.trim();
  return v === "" ? undefined : Number(v);
};

async function create(event) {
  event.preventDefault();
  const status = $("keys-status");
  const name = $("key-name").value.trim();
  if (!name) {
    status.textContent = "Give the key a name first.";
    $("key-name").focus();
    return;
  }
  const body = { name };
  for (const [field, id] of [
    ["rpm", "key-rpm"],
    ["tpm", "key-tpm"],
    ["daily_budget_usd", "key-daily"],
    ["monthly_budget_usd", "key-monthly"],
  ]) {
    const v = number(id);
    if (v !== undefined) body[field] = v;
  }
  $("key-create").disabled = true;
  try {
    const created = await api("/admin/keys", { method: "POST", body });
    $("key-secret-value").textContent = created.key;
    $("key-secret").hidden = false;
    $("key-copy").textContent = "Copy";
    $("key-form").reset();
    status.textContent = `Created ${created.name} (${created.id}).`;
    await loadKeys();
  } catch (err) {
    status.textContent = `Could not create the key (${err.message}).`;
  } finally {
    $("key-create").disabled = false;
  }
}

async function copySecret() {
  const secret = $("key-secret-value").textContent ?? "";
  try {
    await navigator.clipboard.writeText(secret);
    $("key-copy").textContent = "Copied";
  } catch {
    // No clipboard permission: select the text so the user can copy it.
    const range = document.createRange();
    range.selectNodeContents($("key-secret-value"));
    const selection = getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    $("key-copy").textContent = "Press Ctrl+C";
  }
}

async function revoke(key) {
  if (!confirm(`Revoke "${key.name}"? Requests with it are refused at once, everywhere.`)) return;
  try {
    await api(`/admin/keys/${encodeURIComponent(key.id)}`, { method: "DELETE" });
    $("keys-status").textContent = `Revoked ${key.name}.`;
    await loadKeys();
  } catch (err) {
    $("keys-status").textContent = `Could not revoke (${err.message}).`;
  }
}

function spend(used, limit) {
  if (!isNum(used)) return "–";
  const share = limit > 0 ? used / limit : 0;
  return el(
    "span",
    { class: "spend" },
    el("span", { class: "nowrap" }, `${fmt.usd(used)} of ${fmt.usd(limit)}`),
    bar(share, `${fmt.pct(share)} of the daily budget`),
  );
}

function row(k) {
  const u = k.usage;
  const revoked = k.status !== "active";
  return el(
    "tr",
    { class: revoked ? "revoked" : "" },
    el(
      "td",
      {},
      el("div", { class: "strong" }, k.name),
      el("div", { class: "mono muted small" }, k.id),
    ),
    el("td", {}, el("span", { class: `badge ${revoked ? "bad" : "ok"}` }, k.status)),
    el(
      "td",
      { class: "num", "data-label": "Requests/min" },
      `${fmt.int(u?.requests_this_minute)} / ${fmt.int(k.rpm)}`,
    ),
    el(
      "td",
      { class: "num", "data-label": "Tokens today" },
      fmt.compact(u?.tokens_today),
      el("div", { class: "muted small" }, `limit ${fmt.compact(k.tpm)}/min`),
    ),
    el("td", { "data-label": "Spent today" }, spend(u?.spent_today_usd, k.daily_budget_usd)),
    el(
      "td",
      { class: "num c-month" },
      `${fmt.usd(u?.spent_this_month_usd)} / ${fmt.usd(k.monthly_budget_usd)}`,
    ),
    el("td", { class: "c-created nowrap", title: k.created_at }, fmt.date(k.created_at)),
    el(
      "td",
      { class: "row-actions" },
      el(
        "button",
        { type: "button", class: "link", onclick: () => onShowRequests(k.id) },
        "Requests",
      ),
      revoked
        ? null
        : el(
            "button",
            { type: "button", class: "link danger", onclick: () => void revoke(k) },
            "Revoke",
          ),
    ),
  );
}

export async function loadKeys() {
  const body = $("keys-table").querySelector("tbody");
  try {
    const list = await api("/admin/keys");
    body.replaceChildren(
      ...(list.data.length === 0
        ? [
            el(
              "tr",
              {},
              el("td", { colspan: "8", class: "muted empty" }, "No keys yet: create one above."),
            ),
          ]
        : list.data.map(row)),
    );
  } catch (err) {
    $("keys-status").textContent = `Could not list keys (${err.message}).`;
  }
}

/** `showRequests(id)` opens the Requests page filtered to that key. */
export function initKeys(showRequests) {
  onShowRequests = showRequests;
  $("key-form").addEventListener("submit", (e) => void create(e));
  $("key-copy").addEventListener("click", () => void copySecret());
}
