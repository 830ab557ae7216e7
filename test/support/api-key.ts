// Creates an API key through a running gateway's admin route, as an operator would, for tests
// and benchmarks whose clients must authenticate like real ones.

/** A key as POST /admin/keys answers it: the id (to revoke it) and the secret, shown once. */
export interface IssuedKey {
  id: string;
  key: string;
}

/** POST /admin/keys on `baseUrl` with the admin token; throws unless it answers 201. */
export async function createApiKey(
  baseUrl: string,
  adminToken: string,
  body: Record<string, unknown> = { name: "e2e" },
): Promise<IssuedKey> {
  const res = await fetch(`${baseUrl}/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST /admin/keys: ${res.status} ${await res.text()}`);
  return res.json<IssuedKey>();
}
