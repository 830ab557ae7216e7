// Purge epochs of the chat-completion cache, in KV: chat entries depend on nothing in the document
// index, so their purge state lives apart from the INDEX object and a chat request never calls it.
// One KV key per scope (`*` for "purge everything"); a scope's epoch per tier is the sum of its
// own and `*`'s. Epochs are purge times (ms, kept increasing), so two purges racing from
// different isolates still each move the epoch past every value used before them.
import { z } from "zod";
import { ALL_SCOPES, type CacheState, type CacheTierName } from "../../shared/cache/cache-state.js";

const KEY_PREFIX = "cache-epochs:chat:";

const EpochsSchema = z.object({
  memory: z.number().int().nonnegative().default(0),
  edge: z.number().int().nonnegative().default(0),
  kv: z.number().int().nonnegative().default(0),
});
type Epochs = Record<CacheTierName, number>;

const ZERO: Epochs = { memory: 0, edge: 0, kv: 0 };

async function readEpochs(kv: KVNamespace, scope: string): Promise<Epochs> {
  const raw = await kv.get(`${KEY_PREFIX}${scope}`, "text");
  if (raw === null) return ZERO;
  try {
    const parsed = EpochsSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : ZERO;
  } catch {
    return ZERO;
  }
}

/** The chat cache's purge epochs for `scope` (two KV reads), as a state with version 0. */
export async function readChatEpochs(kv: KVNamespace, scope: string): Promise<CacheState> {
  const [all, own] = await Promise.all([readEpochs(kv, ALL_SCOPES), readEpochs(kv, scope)]);
  return {
    version: 0,
    epochs: { memory: all.memory + own.memory, edge: all.edge + own.edge, kv: all.kv + own.kv },
  };
}

/** Moves the epochs of `scope` (null: every scope) in `tiers` past every earlier value. */
export async function bumpChatEpochs(
  kv: KVNamespace,
  scope: string | null,
  tiers: readonly CacheTierName[],
  now: number,
): Promise<void> {
  const name = scope ?? ALL_SCOPES;
  const next = { ...(await readEpochs(kv, name)) };
  for (const tier of new Set(tiers)) next[tier] = Math.max(next[tier] + 1, now);
  await kv.put(`${KEY_PREFIX}${name}`, JSON.stringify(next));
}
