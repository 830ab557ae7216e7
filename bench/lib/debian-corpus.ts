// A real corpus nobody in this project wrote: the PostgreSQL 15 manual as Debian packages it
// (postgresql-doc-15, ~1,170 HTML pages), read from disk, with evaluation questions derived
// mechanically from its own headings so no question is tuned by hand.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { decodeEntities, htmlTitle, htmlToText } from "../../cli/ingest/html-text.js";

/** Where Debian installs the manual's HTML. */
export const CORPUS_DIR = "/usr/share/doc/postgresql-doc-15/html";
/** How to get it. */
export const INSTALL_HINT = "apt-get install -y postgresql-doc-15";

/** One page: its file name as id, its <title>, its text and its sub-headings. */
export interface CorpusPage {
  id: string;
  title: string;
  text: string;
  headings: string[];
}

/** A question and the page that answers it. */
export interface CorpusQuestion {
  q: string;
  doc: string;
}

/** The pages, sorted by id; null when the package is not installed (or holds < 1,000 pages). */
export async function loadDebianCorpus(): Promise<CorpusPage[] | null> {
  let names: string[];
  try {
    names = (await readdir(CORPUS_DIR)).filter((n) => n.endsWith(".html")).sort();
  } catch {
    return null;
  }
  if (names.length < 1000) return null;
  const pages: CorpusPage[] = [];
  for (const name of names) {
    const html = await readFile(join(CORPUS_DIR, name), "utf8");
    const title = stripNumber(htmlTitle(html) ?? name);
    const headings = [...html.matchAll(/<h[2-4]\b[^>]*class="title"[^>]*>([\s\S]*?)<\/h[2-4]>/gi)]
      .map((m) => stripNumber(inline(m[1] ?? "")))
      .filter((h) => h !== "" && h !== title);
    pages.push({ id: name, title, text: htmlToText(html), headings });
  }
  return pages;
}

/**
 * Questions by two mechanical rules, each answered by the page it came from:
 * - "title": every page title (section number removed) that no other page shares;
 * - "heading": per page, its first sub-heading of two or more words that appears on no other
 *   page (so "Description", "Examples" or "Note", which many pages share, never qualify).
 * Case is ignored when deciding what is shared.
 */
export function deriveQuestions(
  pages: readonly CorpusPage[],
): Record<"title" | "heading", CorpusQuestion[]> {
  const titleCount = countBy(pages.map((p) => p.title));
  const headingCount = countBy(
    pages.flatMap((p) => [...new Set(p.headings.map((h) => h.toLowerCase()))]),
  );
  const title = pages
    .filter((p) => titleCount.get(p.title.toLowerCase()) === 1)
    .map((p) => ({ q: p.title, doc: p.id }));
  const heading: CorpusQuestion[] = [];
  for (const p of pages) {
    const h = p.headings.find(
      (x) => headingCount.get(x.toLowerCase()) === 1 && x.split(/\s+/).length >= 2,
    );
    if (h !== undefined) heading.push({ q: h, doc: p.id });
  }
  return { title, heading };
}

function countBy(values: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) out.set(v.toLowerCase(), (out.get(v.toLowerCase()) ?? 0) + 1);
  return out;
}

/** "9.4.1. format" -> "format"; "F.3. amcheck" -> "amcheck". */
function stripNumber(s: string): string {
  return s.replace(/^(?:[A-Z]|\d+)(?:\.\d+)*\.\s+/, "").trim();
}

function inline(fragment: string): string {
  return decodeEntities(fragment.replace(/<[^>]*>/g, ""))
    .replace(/\s+/g, " ")
    .trim();
}
