// Prompt tokens of one image part, by the provider's published rule: OpenAI's 512-px tile rule
// (GPT-4o family) or its 32-px patch rule (gpt-4.1-mini/nano, o4-mini). When the image's size is
// unknown (a URL: nothing is fetched) the rule's worst case is used, so a reservation covers
// whatever image the provider finds there.
import { z } from "zod";

/** How a model counts an image; part of its catalog entry. */
export type VisionRule =
  | {
      /** Fit in 2048x2048, shortest side down to 768, then `tileTokens` per 512-px tile. */
      rule: "tiles";
      /** Tokens of every image, and all of a `detail: "low"` one. */
      baseTokens: number;
      tileTokens: number;
    }
  | {
      /** 32-px patches, at most 1536, times `multiplier`; `detail` does not lower it. */
      rule: "patches";
      multiplier: number;
    };

/** Validates a catalog entry's `vision`. */
export const VisionRuleSchema: z.ZodType<VisionRule> = z.discriminatedUnion("rule", [
  z.strictObject({
    rule: z.literal("tiles"),
    baseTokens: z.number().int().nonnegative(),
    tileTokens: z.number().int().nonnegative(),
  }),
  z.strictObject({ rule: z.literal("patches"), multiplier: z.number().positive().max(100) }),
]);

/** GPT-4o's rule, for models whose catalog entry names none. */
export const DEFAULT_VISION: VisionRule = { rule: "tiles", baseTokens: 85, tileTokens: 170 };

/** An image as the request describes it. */
export interface ImageRef {
  detail: "low" | "high" | "auto";
  /** Pixel size, when it could be read from the request itself (a data URL's header). */
  size?: { width: number; height: number };
}

const MAX_SIDE = 2048;
const SHORT_SIDE = 768;
const TILE = 512;
const PATCH = 32;
const MAX_PATCHES = 1536;
/** The most tiles any image makes under the tile rule: 768x2048 is 2x4. */
const MAX_TILES = 8;

/**
 * The prompt tokens `image` costs under `rule`.
 *
 * @example
 * imageTokens(DEFAULT_VISION, { detail: "high", size: { width: 1024, height: 1024 } }); // 765
 * imageTokens(DEFAULT_VISION, { detail: "auto" }); // 1445, the worst case
 */
export function imageTokens(rule: VisionRule, image: ImageRef): number {
  if (rule.rule === "patches") {
    const patches = image.size ? patchCount(image.size) : MAX_PATCHES;
    return Math.ceil(patches * rule.multiplier);
  }
  if (image.detail === "low") return rule.baseTokens;
  const tiles = image.size ? tileCount(image.size) : MAX_TILES;
  return rule.baseTokens + tiles * rule.tileTokens;
}

function tileCount({ width, height }: { width: number; height: number }): number {
  if (width <= 0 || height <= 0) return MAX_TILES;
  let w = width;
  let h = height;
  const fit = Math.min(1, MAX_SIDE / Math.max(w, h));
  w *= fit;
  h *= fit;
  const shrink = Math.min(1, SHORT_SIDE / Math.min(w, h));
  w *= shrink;
  h *= shrink;
  return Math.min(MAX_TILES, Math.ceil(w / TILE) * Math.ceil(h / TILE));
}

function patchCount({ width, height }: { width: number; height: number }): number {
  if (width <= 0 || height <= 0) return MAX_PATCHES;
  // The provider scales a larger image down to fit 1536 patches; never more than that.
  return Math.min(MAX_PATCHES, Math.ceil(width / PATCH) * Math.ceil(height / PATCH));
}
