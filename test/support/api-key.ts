// Creates an API key through a running gateway's admin route, as an operator would, for tests
// whose clients must authenticate like real ones.

/** POST /admin/keys on `baseUrl` with the admin token; returns the new key's secret. */
export async function createApiKey(
  baseUrl: string,
  adminToken: string,
  body: Record<string, unknown> = { name: "e2e" },
): Promise<string> {
  const res = await fetch(`${baseUrl}/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST /admin/keys: ${res.status} ${await res.text()}`);
  const created = await res.json<{ key: string }>();
  return created.key;
}
