// Markdown-aware text splitting for the extractive answerer: blocks (paragraphs, list items,
// headings, code and table rows), then sentences that keep abbreviations and decimals intact.

/** A block of text from a source. */
export interface Segment {
  text: string;
  heading: boolean;
  /** False for code lines and table rows, which are kept whole. */
  prose: boolean;
}

const HEADING_RE = /^#{1,6}\s+(.*?)\s*#*$/;
const LIST_ITEM_RE = /^(?:[-*+•]|\d{1,3}[.)])\s+(.*)$/;
const RULE_RE = /^([-*_])(?:\s*\1){2,}$/;
const TABLE_SEPARATOR_RE = /^\|?[\s:|-]+\|?$/;

/** Markdown-aware blocks: paragraphs, list items, headings, code lines, table rows. */
export function splitSegments(text: string): Segment[] {
  const segments: Segment[] = [];
  let paragraph: string[] = [];
  let inFence = false;
  const flush = (): void => {
    const joined = cleanInline(paragraph.join(" "));
    if (/[\p{L}\p{N}]/u.test(joined)) segments.push({ text: joined, heading: false, prose: true });
    paragraph = [];
  };
  for (const raw of text.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trim().replace(/^(?:>\s?)+/, "");
    if (/^(?:```|~~~)/.test(line)) {
      flush();
      inFence = !inFence;
      continue;
    }
    if (inFence || (line.startsWith("|") && !TABLE_SEPARATOR_RE.test(line))) {
      flush();
      const whole = inFence
        ? line
        : cleanInline(line.replace(/^\||\|$/g, "").replace(/\s*\|\s*/g, "; "));
      if (/[\p{L}\p{N}]/u.test(whole)) segments.push({ text: whole, heading: false, prose: false });
      continue;
    }
    if (line === "" || RULE_RE.test(line) || TABLE_SEPARATOR_RE.test(line)) {
      flush();
      continue;
    }
    const heading = HEADING_RE.exec(line);
    if (heading) {
      flush();
      const title = cleanInline(heading[1] ?? "");
      if (title) segments.push({ text: title, heading: true, prose: false });
      continue;
    }
    const item = LIST_ITEM_RE.exec(line);
    if (item) {
      flush();
      paragraph.push(item[1] ?? "");
      continue;
    }
    paragraph.push(line);
  }
  flush();
  return segments;
}

/** Drops Markdown emphasis and link targets, collapses whitespace. */
function cleanInline(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/\s+/g, " ")
    .trim();
}

const ABBREVIATIONS = new Set(
  "e.g. i.e. etc. vs. approx. cf. fig. no. nos. mr. mrs. ms. dr. prof. st. jr. sr. inc. ltd. co. corp. dept. est. min. max. incl. resp. al. ca. op. vol. p. pp.".split(
    " ",
  ),
);
const BOUNDARY_RE = /[.!?…]+["'”’)\]]*\s+|[。！？]+["'”’)\]」』]*\s*/g;

/** Sentence split that keeps abbreviations, initials and decimals (no space after the dot). */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const match of text.matchAll(BOUNDARY_RE)) {
    const end = match.index + match[0].length;
    const before = text.slice(start, match.index + 1);
    const lastToken = (/(\S+)$/.exec(before)?.[1] ?? "").toLowerCase();
    const next = text.charAt(end);
    const western = !/[。！？]/.test(match[0]);
    if (western && match[0].startsWith(".") && isAbbreviation(lastToken)) continue;
    if (western && /\p{Ll}/u.test(next)) continue;
    const sentence = text.slice(start, end).trim();
    if (sentence) out.push(sentence);
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out.filter((s) => /[\p{L}\p{N}]/u.test(s));
}

function isAbbreviation(token: string): boolean {
  const bare = token.replace(/^[("'“‘[]+/, "");
  return ABBREVIATIONS.has(bare) || /^(?:\p{L}\.)+$/u.test(bare);
}
