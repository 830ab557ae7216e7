// /admin/keys: create (the secret is shown once, with the key's namespaces and scopes), list,
// revoke. The key's LIMITER object is the
// authority (it holds the hash and the status); KV keeps a copy of each key's public record only
// so keys can be listed, and that listing may lag by KV's propagation delay.
import type { RoutedRequest } from "../http/routed-request.js";
import { CreateKeyRequestSchema } from "../../shared/api/schemas.js";
import type { Limits } from "../../shared/ratelimit/limits.js";
import type { PrincipalRecord } from "../../shared/ratelimit/limiter-types.js";
import { generateApiKey, hashApiKey, isKeyId } from "../../shared/security/api-key.js";
import { requireAdmin } from "../auth.js";
import type { AppContext } from "../context.js";
import { HttpError } from "../errors.js";
import { readJson } from "../http/read-json.js";
import { json } from "../http/respond.js";
import { forgetRevoked } from "../limits/unauthorized.js";
import { limiterStub } from "../limits/limiter-client.js";
import { grantsOf, newKeyGrants, type Scope } from "../../shared/tenancy/grants.js";
import { requireLiveNamespace } from "../tenancy/namespace-index.js";

const KV_PREFIX = "apikey:";
const KV_METADATA_MAX_BYTES = 1024;

/** A key as admins see it: never the secret, never its hash. */
export interface KeyView {
  object: "key";
  id: string;
  name: string;
  status: "active" | "revoked";
  created_at: string;
  revoked_at: string | null;
  rpm: number;
  tpm: number;
  daily_budget_usd: number;
  monthly_budget_usd: number;
  /** The namespaces the key may use (its first is its default) and what it may do there. */
  namespaces: string[];
  scopes: Scope[];
}

export async function createKey(request: RoutedRequest, app: AppContext): Promise<Response> {
  await requireAdmin(request, app);
  const body = await readJson(request, CreateKeyRequestSchema, app.config.MAX_BODY_BYTES);
  const defaults = app.config.keyDefaults;
  const limits: Limits = {
    rpm: body.rpm ?? defaults.rpm,
    tpm: body.tpm ?? defaults.tpm,
    dailyBudgetUsd: body.daily_budget_usd ?? defaults.dailyBudgetUsd,
    monthlyBudgetUsd: body.monthly_budget_usd ?? defaults.monthlyBudgetUsd,
  };
  const grants = newKeyGrants(body);
  await requireNamespaces(app, grants.namespaces);
  const { id, key } = generateApiKey();
  const record: PrincipalRecord = {
    id,
    kind: "key",
    name: body.name.trim(),
    keyHash: await hashApiKey(key),
    status: "active",
    createdAt: Date.now(),
    revokedAt: null,
    limits,
    grants,
  };
  // The object first: once it holds the hash, the key works everywhere at once.
  if (!(await limiterStub(app.env, id).register(record))) {
    throw new Error(`key id collision on ${id}`);
  }
  const view = toView(record);
  await saveListing(app, view);
  app.metrics.inc("ragway_keys_created_total");
  app.logFields.key_id = id;
  return json({ ...view, key }, { status: 201 });
}

/** A key's standing from its LIMITER object, for the list (null when it holds no record). */
export interface KeyUsage {
  requests_this_minute: number;
  tokens_today: number;
  spent_today_usd: number;
  spent_this_month_usd: number;
}

/** Keys listed with what each has used: one LIMITER read per key, all at once (admin only, never
 * on a request's path). A key whose object cannot be read is listed with `usage: null`. */
export async function listKeys(request: RoutedRequest, app: AppContext): Promise<Response> {
  await requireAdmin(request, app);
  const views = await listKeyViews(app);
  const data = await Promise.all(
    views.map(async (view) => ({ ...view, usage: await keyUsage(app, view.id) })),
  );
  return json({ object: "list", data });
}

async function keyUsage(app: AppContext, id: string): Promise<KeyUsage | null> {
  try {
    const { standing } = await limiterStub(app.env, id).inspect();
    if (!standing) return null;
    return {
      requests_this_minute: standing.requests.used,
      tokens_today: standing.daily.tokens,
      spent_today_usd: standing.daily.spentUsd,
      spent_this_month_usd: standing.monthly.spentUsd,
    };
  } catch (err) {
    app.logger.warn("key_usage_unavailable", { key_id: id, error: String(err) });
    return null;
  }
}

/** Every key's public record, newest first, from the KV listing (eventually consistent). */
export async function listKeyViews(app: AppContext): Promise<KeyView[]> {
  const data: KeyView[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await app.env.CACHE.list<KeyView>({
      prefix: KV_PREFIX,
      ...(cursor ? { cursor } : {}),
    });
    for (const k of page.keys) {
      // A record too large for KV metadata (many namespaces) is read from its value instead.
      const view = k.metadata ?? (await app.env.CACHE.get<KeyView>(k.name, "json"));
      if (view) data.push(view);
    }
    if (page.list_complete) break;
    cursor = page.cursor;
  }
  data.sort((a, b) => b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id));
  return data;
}

export async function revokeKey(request: RoutedRequest, app: AppContext): Promise<Response> {
  await requireAdmin(request, app);
  const id = request.params.id ?? "";
  if (!isKeyId(id)) throw new HttpError("not_found", `no key "${id}"`, { param: "id" });
  const revoked = await limiterStub(app.env, id).revoke();
  if (!revoked) throw new HttpError("not_found", `no key "${id}"`, { param: "id" });
  // Revocation wins in this isolate at once: no memoed 429 and no lease outlives it here.
  if (revoked.keyHash) forgetRevoked(revoked.keyHash);
  const view = toView(revoked);
  await saveListing(app, view);
  app.metrics.inc("ragway_keys_revoked_total");
  app.logFields.key_id = id;
  return json(view);
}

async function saveListing(app: AppContext, view: KeyView): Promise<void> {
  // The record is the metadata too, so one list() call returns every key's record; KV caps
  // metadata at 1,024 bytes, so a larger record is kept as the value only.
  const text = JSON.stringify(view);
  const small = new TextEncoder().encode(text).byteLength <= KV_METADATA_MAX_BYTES;
  await app.env.CACHE.put(`${KV_PREFIX}${view.id}`, text, small ? { metadata: view } : {});
}

function toView(r: PrincipalRecord): KeyView {
  return {
    object: "key",
    id: r.id,
    name: r.name,
    status: r.status,
    created_at: new Date(r.createdAt).toISOString(),
    revoked_at: r.revokedAt === null ? null : new Date(r.revokedAt).toISOString(),
    rpm: r.limits.rpm,
    tpm: r.limits.tpm,
    daily_budget_usd: r.limits.dailyBudgetUsd,
    monthly_budget_usd: r.limits.monthlyBudgetUsd,
    ...grantsOf(r.grants),
  };
}

/** 404 for the first of `namespaces` that does not exist: a key cannot name a namespace ahead. */
async function requireNamespaces(app: AppContext, namespaces: string[]): Promise<void> {
  for (const namespace of namespaces) await requireLiveNamespace(app, namespace);
}
