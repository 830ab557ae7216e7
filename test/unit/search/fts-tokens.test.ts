import { describe, expect, it } from "vitest";
import { ftsTokens, queryTerms } from "../../../shared/search/fts-tokens.js";
import { porterStem } from "../../../shared/search/porter-stem.js";

describe("porterStem", () => {
  it("stems the reference vocabulary as FTS5's porter tokenizer does", () => {
    const cases: Record<string, string> = {
      caresses: "caress",
      ponies: "poni",
      cats: "cat",
      feed: "feed",
      agreed: "agre",
      plastered: "plaster",
      motoring: "motor",
      sing: "sing",
      conflated: "conflat",
      sized: "size",
      hopping: "hop",
      falling: "fall",
      filing: "file",
      happy: "happi",
      relational: "relat",
      conditional: "condit",
      digitizer: "digit",
      operator: "oper",
      hopefulness: "hope",
      sensibiliti: "sensibl",
      triplicate: "triplic",
      formative: "form",
      electrical: "electr",
      goodness: "good",
      allowance: "allow",
      adjustable: "adjust",
      replacement: "replac",
      adoption: "adopt",
      effective: "effect",
      probate: "probat",
      cease: "ceas",
      controll: "control",
      roll: "roll",
      connections: "connect",
      possibly: "possibl",
      methodologies: "methodolog",
    };
    for (const [word, stem] of Object.entries(cases))
      expect([word, porterStem(word)]).toEqual([word, stem]);
  });

  it("passes tokens under 3 characters through, as FTS5 does", () => {
    expect(porterStem("is")).toBe("is");
  });
});

describe("ftsTokens / queryTerms", () => {
  it("folds case and diacritics and splits on everything but letters and digits", () => {
    expect(ftsTokens("Connecting to Réplicas: pg_dump 15!")).toEqual([
      "connect",
      "to",
      "replica",
      "pg",
      "dump",
      "15",
    ]);
  });

  it("stems a word the same way the hundredth time, and after its memory of stems starts over", () => {
    const text = "Replicating replicas: the replication of replicated relations";
    const expected = text
      .toLowerCase()
      .split(/[^a-z]+/)
      .filter((w) => w.length > 0)
      .map(porterStem);
    for (let i = 0; i < 100; i++) expect(ftsTokens(text)).toEqual(expected);
    // More distinct words than the memory keeps.
    const many = Array.from({ length: 30_000 }, (_, i) => `word${i.toString(36)}ing`).join(" ");
    const tokens = ftsTokens(many);
    expect(tokens).toHaveLength(30_000);
    expect(tokens[29_999]).toBe(porterStem(`word${(29_999).toString(36)}ing`));
    expect(ftsTokens(text)).toEqual(expected);
  });

  it("takes the query's terms from the same MATCH expression the index runs", () => {
    expect(queryTerms("How do I connect to the replicas?")).toEqual(["connect", "replica"]);
    expect(queryTerms("?!")).toEqual([]);
  });
});
