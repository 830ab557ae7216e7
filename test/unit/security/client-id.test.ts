import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { anonymousPrincipalId } from "../../../shared/security/client-id.js";

describe("anonymousPrincipalId", () => {
  it("is stable for one secret and IP, and differs by IP", async () => {
    const a = await anonymousPrincipalId("secret-one", "203.0.113.7");
    expect(a).toMatch(/^anon_[0-9a-f]{24}$/);
    expect(await anonymousPrincipalId("secret-one", "203.0.113.7")).toBe(a);
    expect(await anonymousPrincipalId("secret-one", "203.0.113.8")).not.toBe(a);
  });

  it("depends on the secret, so it cannot be reversed by hashing every IPv4 address", async () => {
    const ip = "203.0.113.7";
    const unsalted = createHash("sha256").update(`ragway-anonymous:${ip}`).digest("hex");
    const one = await anonymousPrincipalId("secret-one", ip);
    expect(one).not.toBe(`anon_${unsalted.slice(0, 24)}`);
    expect(await anonymousPrincipalId("secret-two", ip)).not.toBe(one);
  });
});
