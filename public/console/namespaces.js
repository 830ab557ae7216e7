// The namespace pickers of the Playground and the Documents page. Their options come from
// GET /admin/namespaces when the admin token is connected; with only an API key there is no way
// to list namespaces, so the pickers offer `default` alone. The choice is kept across refreshes.
import { api, credentials, el } from "./core.js";

const DEFAULT = "default";
const PICKERS = ["play-namespace", "docs-namespace"];

/** The namespace picked in `selectId` (`default` until options load). */
export function pickedNamespace(selectId) {
  const select = document.getElementById(selectId);
  return select instanceof HTMLSelectElement && select.value ? select.value : DEFAULT;
}

/** The namespaces this tab may offer: the admin list, else `default`. */
async function namespaceNames() {
  if (!credentials.admin()) return [DEFAULT];
  try {
    const list = await api("/admin/namespaces");
    const names = (list.data ?? []).map((n) => n.name).filter((n) => typeof n === "string");
    return names.length > 0 ? names : [DEFAULT];
  } catch {
    return [DEFAULT];
  }
}

/** Refills every picker, keeping each one's choice when it is still offered. */
export async function loadNamespaceOptions() {
  const names = await namespaceNames();
  for (const id of PICKERS) {
    const select = document.getElementById(id);
    if (!(select instanceof HTMLSelectElement)) continue;
    const prior = select.value || DEFAULT;
    select.replaceChildren(...names.map((n) => el("option", { value: n }, n)));
    select.value = names.includes(prior) ? prior : (names[0] ?? DEFAULT);
  }
}
