// Text from HTML for retrieval: scripts, styles and other non-content elements are dropped, block
// elements become paragraph breaks (chunking splits on them), entities are decoded, and <pre>
// keeps its line breaks. A tolerant regex pass, not a DOM: good enough for documents, never eval.

/** Elements whose content is never text a reader sees. */
const DROPPED = ["script", "style", "noscript", "template", "svg", "iframe", "object", "head"];
const BLOCK =
  /<\/?(?:p|div|section|article|main|aside|header|footer|nav|h[1-6]|ul|ol|table|thead|tbody|tr|blockquote|figure|figcaption|form|fieldset|dl|dt|dd|hr|address|details|summary)\b[^>]*>/gi;

const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  laquo: "«",
  raquo: "»",
  copy: "©",
  reg: "®",
  trade: "™",
  euro: "€",
  pound: "£",
  middot: "·",
  bull: "•",
  times: "×",
  deg: "°",
};

/** Decodes named (common) and numeric character references. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code =
        ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff
        ? String.fromCodePoint(code)
        : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

function inline(fragment: string): string {
  return decodeEntities(fragment.replace(/<[^>]*>/g, ""))
    .replace(/\s+/g, " ")
    .trim();
}

/** The document's title: <title>, else the first <h1>; null when neither has text. */
export function htmlTitle(html: string): string | null {
  for (const re of [/<title\b[^>]*>([\s\S]*?)<\/title>/i, /<h1\b[^>]*>([\s\S]*?)<\/h1>/i]) {
    const m = re.exec(html);
    const text = m?.[1] ? inline(m[1]) : "";
    if (text) return text;
  }
  return null;
}

/** Readable text of an HTML document, paragraphs separated by blank lines. */
export function htmlToText(html: string): string {
  let s = html.replace(/<!--[\s\S]*?-->/g, " ");
  for (const tag of DROPPED) {
    s = s.replace(new RegExp(`<${tag}\\b[^>]*>[\\s\\S]*?</${tag}\\s*>`, "gi"), " ");
    // An unclosed dropped element runs to the end of the document.
    s = s.replace(new RegExp(`<${tag}\\b[^>]*>[\\s\\S]*$`, "i"), " ");
  }
  // <pre> keeps its line breaks: protect them from whitespace collapsing with a private marker.
  s = s.replace(/<pre\b[^>]*>([\s\S]*?)<\/pre\s*>/gi, (_m, body: string) => {
    return `<div>${body.replace(/<[^>]*>/g, "").replace(/\r?\n/g, "\uE000")}</div>`;
  });
  // Source line breaks are just spaces in HTML; only markup makes lines and paragraphs.
  s = s
    .replace(/\s+/g, " ")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<li\b[^>]*>/gi, "\n- ")
    .replace(/<\/(?:td|th)\s*>/gi, " \t ")
    .replace(BLOCK, "\n\n")
    .replace(/<[^>]*>/g, "");
  s = decodeEntities(s);
  const paragraphs = s
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .split("\n")
        .map((line) => line.replace(/[ \t\f\v\r\u00a0]+/g, " ").trim())
        .filter((line) => line !== "")
        .join("\n")
        .replace(/\uE000/g, "\n"),
    )
    .filter((p) => p.trim() !== "");
  return paragraphs.join("\n\n");
}
