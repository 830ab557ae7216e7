// The list of namespaces, in KV under `namespace:<name>`. It only lets admins (and the dashboard)
// enumerate namespaces: whether one exists is decided by its own INDEX object, strongly
// consistent, so a listing that lags by KV's propagation delay can never let a request into a
// deleted namespace. `default` is never stored: it always exists.
import { DEFAULT_NAMESPACE } from "../../shared/tenancy/grants.js";

const PREFIX = "namespace:";

/** A registry entry. */
export interface RegisteredNamespace {
  name: string;
  /** ISO time of creation; null for `default`, which predates the registry. */
  created_at: string | null;
  /** Shard count at creation (absent in entries written before shards existed: 1). The head
   * INDEX object is the authority; this only lets a listing show it without asking. */
  shards?: number;
}

/** Records a created namespace. */
export async function register(kv: KVNamespace, entry: RegisteredNamespace): Promise<void> {
  await kv.put(`${PREFIX}${entry.name}`, JSON.stringify(entry), { metadata: entry });
}

/** Forgets a deleted namespace. */
export async function unregister(kv: KVNamespace, name: string): Promise<void> {
  await kv.delete(`${PREFIX}${name}`);
}

/** Every registered namespace, `default` first, then by name. */
export async function listRegistered(kv: KVNamespace): Promise<RegisteredNamespace[]> {
  const out: RegisteredNamespace[] = [{ name: DEFAULT_NAMESPACE, created_at: null }];
  let cursor: string | undefined;
  for (;;) {
    const page = await kv.list<RegisteredNamespace>({
      prefix: PREFIX,
      ...(cursor ? { cursor } : {}),
    });
    for (const k of page.keys) {
      const name = k.name.slice(PREFIX.length);
      if (name !== DEFAULT_NAMESPACE) out.push(k.metadata ?? { name, created_at: null });
    }
    if (page.list_complete) break;
    cursor = page.cursor;
  }
  return [
    out[0] as RegisteredNamespace,
    ...out.slice(1).sort((a, b) => a.name.localeCompare(b.name)),
  ];
}
