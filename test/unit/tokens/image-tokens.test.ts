import { describe, expect, it } from "vitest";
import { DEFAULT_VISION, imageTokens } from "../../../shared/tokens/image-tokens.js";

const high = (width: number, height: number) => ({
  detail: "high" as const,
  size: { width, height },
});

describe("imageTokens, OpenAI's tile rule", () => {
  it("matches OpenAI's published examples", () => {
    // 1024x1024: shortest side to 768, 2x2 tiles.
    expect(imageTokens(DEFAULT_VISION, high(1024, 1024))).toBe(765);
    // 2048x4096: fit to 1024x2048, then 768x1536, 2x3 tiles.
    expect(imageTokens(DEFAULT_VISION, high(2048, 4096))).toBe(1105);
    // Low detail is the base price whatever the size.
    expect(
      imageTokens(DEFAULT_VISION, { detail: "low", size: { width: 4096, height: 4096 } }),
    ).toBe(85);
  });

  it("does not scale a small image up", () => {
    expect(imageTokens(DEFAULT_VISION, high(512, 512))).toBe(255);
  });

  it("counts an image of unknown size at the worst case, which no size exceeds", () => {
    const worst = imageTokens(DEFAULT_VISION, { detail: "auto" });
    expect(worst).toBe(85 + 8 * 170);
    for (const [w, h] of [
      [768, 2048],
      [769, 2048],
      [4000, 10_000],
      [100, 20_000],
      [2048, 2048],
    ] as const) {
      expect(imageTokens(DEFAULT_VISION, high(w, h))).toBeLessThanOrEqual(worst);
    }
    expect(imageTokens(DEFAULT_VISION, high(768, 2048))).toBe(worst);
  });

  it("uses a model's own tile prices (gpt-4o-mini's are about 33x)", () => {
    const mini = { rule: "tiles" as const, baseTokens: 2_833, tileTokens: 5_667 };
    expect(imageTokens(mini, high(1024, 1024))).toBe(2_833 + 4 * 5_667);
    expect(imageTokens(mini, { detail: "low" })).toBe(2_833);
  });
});

describe("imageTokens, the patch rule", () => {
  const nano = { rule: "patches" as const, multiplier: 2.46 };

  it("counts 32-px patches times the model's multiplier, whatever the detail", () => {
    expect(imageTokens(nano, high(1024, 1024))).toBe(Math.ceil(1024 * 2.46));
    expect(imageTokens(nano, { detail: "low", size: { width: 64, height: 40 } })).toBe(
      Math.ceil(4 * 2.46),
    );
  });

  it("caps at 1536 patches, which is also the worst case of an unknown size", () => {
    expect(imageTokens(nano, high(4096, 4096))).toBe(Math.ceil(1536 * 2.46));
    expect(imageTokens(nano, { detail: "auto" })).toBe(Math.ceil(1536 * 2.46));
  });
});
