// One file's bytes -> the text and title to send. Markdown and plain text must be UTF-8; HTML
// loses its markup; PDF goes through unpdf. What cannot be read is a value with a clear reason,
// and an empty document is told apart from a broken one.
import { basename, extname } from "node:path";
import { htmlTitle, htmlToText } from "./html-text.js";
import { pdfToText } from "./pdf-text.js";

/** The file types the CLI reads, by extension. */
export type FileKind = "markdown" | "text" | "html" | "pdf";

const KINDS: Record<string, FileKind> = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".txt": "text",
  ".text": "text",
  ".html": "html",
  ".htm": "html",
  ".pdf": "pdf",
};

/** The server's per-document text limit (shared/api/schemas.ts). */
export const MAX_TEXT_CHARS = 500_000;

export type Extracted =
  | { ok: true; text: string; title: string }
  | { ok: false; reason: "empty" | "unreadable"; message: string };

/** The kind of a file name, or null when the CLI does not read that type. */
export function fileKind(name: string): FileKind | null {
  return KINDS[extname(name).toLowerCase()] ?? null;
}

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

function fileTitle(path: string): string {
  return basename(path, extname(path));
}

/** Extracts the text of a file already read into memory. */
export async function extractDocument(
  path: string,
  kind: FileKind,
  bytes: Uint8Array,
): Promise<Extracted> {
  let text: string;
  let title: string;
  if (kind === "pdf") {
    const pdf = await pdfToText(bytes);
    if (!pdf.ok) return { ok: false, reason: "unreadable", message: pdf.message };
    text = pdf.text;
    title = pdf.title ?? fileTitle(path);
  } else {
    const decoded = decodeUtf8(bytes);
    if (decoded === null) return { ok: false, reason: "unreadable", message: "not UTF-8 text" };
    if (decoded.includes("\u0000")) {
      return { ok: false, reason: "unreadable", message: "binary content (NUL bytes)" };
    }
    if (kind === "html") {
      text = htmlToText(decoded);
      title = htmlTitle(decoded) ?? fileTitle(path);
    } else {
      text = decoded.replace(/\r\n?/g, "\n");
      const heading = kind === "markdown" ? /^#{1,6}\s+(.+?)\s*#*\s*$/m.exec(text) : null;
      title = heading?.[1] ?? fileTitle(path);
    }
  }
  if (text.trim() === "") return { ok: false, reason: "empty", message: "no text" };
  if (text.length > MAX_TEXT_CHARS) {
    return {
      ok: false,
      reason: "unreadable",
      message: `${text.length.toLocaleString("en-US")} characters of text; the server takes at most ${MAX_TEXT_CHARS.toLocaleString("en-US")} per document`,
    };
  }
  return { ok: true, text, title: title.slice(0, 500) };
}
