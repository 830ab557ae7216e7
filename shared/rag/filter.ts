// Metadata filters: every key must match; an array means "any of". Pure so the index and
// tests share one definition.
import type { Metadata, MetadataFilter } from "./types.js";

/** True when `metadata` satisfies every clause of `filter`. */
export function matchesFilter(metadata: Metadata, filter: MetadataFilter): boolean {
  for (const [key, wanted] of Object.entries(filter)) {
    const actual = metadata[key];
    if (actual === undefined) return false;
    if (Array.isArray(wanted)) {
      if (!wanted.some((w) => w === actual)) return false;
    } else if (wanted !== actual) {
      return false;
    }
  }
  return true;
}
