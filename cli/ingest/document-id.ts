// Document ids from file paths: stable across runs (so a re-run replaces, never duplicates) and
// inside the server's id alphabet; a path that had to be rewritten gets a hash suffix so two
// paths never collapse onto one id.
import { createHash } from "node:crypto";

/** The server's id limit and alphabet (shared/api/schemas.ts DocumentIdSchema). */
export const MAX_ID_LENGTH = 256;
const ALLOWED = /[^\w.:/@~+-]/g;

/**
 * The id for a file at `relPath` (forward slashes, relative to the ingest base).
 *
 * @example
 * documentIdFor("guides/intro.md"); // "guides/intro.md"
 * documentIdFor("notes/été 1.txt"); // "notes/_t__1.txt~3f1c0a9b"
 */
export function documentIdFor(relPath: string, prefix = ""): string {
  const path = `${prefix}${relPath.replace(/\\/g, "/")}`;
  const clean = path.replace(ALLOWED, "_");
  if (clean === path && clean.length <= MAX_ID_LENGTH && clean.length > 0) return clean;
  const suffix = `~${createHash("sha256").update(path).digest("hex").slice(0, 8)}`;
  return `${clean.slice(0, MAX_ID_LENGTH - suffix.length)}${suffix}`;
}
