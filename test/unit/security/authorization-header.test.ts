import { describe, expect, it } from "vitest";
import {
  bearerCredentials,
  MAX_AUTHORIZATION_LENGTH,
  parseAuthorization,
} from "../../../shared/security/authorization-header.js";
import { seeded } from "../../support/seeded-random.js";

/** The obvious (not linear-time) definition the parser must agree with on every input. */
function reference(header: string): ReturnType<typeof parseAuthorization> {
  if (header.length > MAX_AUTHORIZATION_LENGTH) return { ok: false, reason: "too_long" };
  const trimmed = header.replace(/^[ \t]+/, "").replace(/[ \t]+$/, "");
  const gap = trimmed.search(/[ \t]/);
  if (gap <= 0) return { ok: false, reason: "malformed" };
  const credentials = trimmed.slice(gap).replace(/^[ \t]+/, "");
  return { ok: true, scheme: trimmed.slice(0, gap), credentials };
}

const ALPHABET = ["a", "B", "z", "0", "_", "-", "=", " ", " ", " ", "\t", "é", "\u00a0"];

function randomHeader(rand: () => number): string {
  const length = Math.floor(rand() * 80);
  let out = rand() < 0.5 ? "Bearer " : "";
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(rand() * ALPHABET.length)] ?? "";
  return out;
}

describe("parseAuthorization", () => {
  it.each([
    ["Bearer rgw_abc", { ok: true, scheme: "Bearer", credentials: "rgw_abc" }],
    ["  bearer \t tok  ", { ok: true, scheme: "bearer", credentials: "tok" }],
    ["Basic dXNlcjpwYXNz", { ok: true, scheme: "Basic", credentials: "dXNlcjpwYXNz" }],
    ["Digest a=1, b=2", { ok: true, scheme: "Digest", credentials: "a=1, b=2" }],
    ["Bearer", { ok: false, reason: "malformed" }],
    ["Bearer    ", { ok: false, reason: "malformed" }],
    ["", { ok: false, reason: "malformed" }],
    ["   ", { ok: false, reason: "malformed" }],
  ])("splits %j", (header, expected) => {
    expect(parseAuthorization(header)).toEqual(expected);
  });

  it("agrees with the reference definition on 20,000 random headers", () => {
    const rand = seeded(13);
    for (let i = 0; i < 20_000; i++) {
      const header = randomHeader(rand);
      expect(parseAuthorization(header), JSON.stringify(header)).toEqual(reference(header));
    }
  });

  it("refuses anything over the cap without reading it", () => {
    const huge = `Bearer a${" ".repeat(1_000_000)}b`;
    expect(parseAuthorization(huge)).toEqual({ ok: false, reason: "too_long" });
    expect(parseAuthorization("x".repeat(MAX_AUTHORIZATION_LENGTH + 1))).toEqual({
      ok: false,
      reason: "too_long",
    });
  });

  // The shapes that make backtracking regexes quadratic, at the largest size the cap lets in.
  it.each([
    ["spaces between two words", `Bearer a${" ".repeat(MAX_AUTHORIZATION_LENGTH - 9)}b`],
    ["tabs and spaces alternating", `Bearer ${" \t".repeat(500)}x`],
    ["only whitespace", " ".repeat(MAX_AUTHORIZATION_LENGTH)],
    ["one long token", "x".repeat(MAX_AUTHORIZATION_LENGTH)],
    ["a long scheme then a gap", `${"B".repeat(600)}${" ".repeat(400)}`],
  ])("parses the adversarial case %s like the reference", (_name, header) => {
    expect(header.length).toBeLessThanOrEqual(MAX_AUTHORIZATION_LENGTH);
    expect(parseAuthorization(header)).toEqual(reference(header));
  });
});

describe("bearerCredentials", () => {
  it.each([
    ["Bearer tok", { ok: true, token: "tok" }],
    ["BEARER tok ", { ok: true, token: "tok" }],
    ["Bearer a b", { ok: false, reason: "malformed" }],
    [`Bearer a${" ".repeat(500)}b`, { ok: false, reason: "malformed" }],
    ["Basic tok", { ok: false, reason: "malformed" }],
    ["tok", { ok: false, reason: "malformed" }],
    [`Bearer ${"t".repeat(MAX_AUTHORIZATION_LENGTH)}`, { ok: false, reason: "too_long" }],
  ])("reads %j", (header, expected) => {
    expect(bearerCredentials(header)).toEqual(expected);
  });

  it("never throws and never returns a token with whitespace, on 20,000 random headers", () => {
    const rand = seeded(15);
    for (let i = 0; i < 20_000; i++) {
      const result = bearerCredentials(randomHeader(rand));
      if (result.ok) expect(result.token).toMatch(/^[^ \t]+$/);
    }
  });
});
