// Real text nobody in this project wrote, for benchmarks whose cost grows with the text: Debian's
// license texts (/usr/share/common-licenses, on every Debian system).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const REAL_TEXT_DIR = "/usr/share/common-licenses";

/** The license texts joined, or null where the folder is missing. */
export function realText(): string | null {
  try {
    const text = readdirSync(REAL_TEXT_DIR)
      .sort()
      .map((name) => {
        try {
          return readFileSync(join(REAL_TEXT_DIR, name), "utf8");
        } catch {
          return ""; // a folder or a dangling link
        }
      })
      .join("\n\n");
    return text.length > 0 ? text : null;
  } catch {
    return null;
  }
}

/** Successive slices of `text`, starting over at its end: each call gives the next `length`
 * characters (a slice repeats once the text has gone round). */
export function textSlicer(text: string): (length: number) => string {
  let offset = 0;
  return (length) => {
    if (offset + length > text.length) offset = 0;
    const slice = text.slice(offset, offset + length);
    offset += length;
    return slice;
  };
}
