// A model's answer as a small, safe subset of markdown: paragraphs, bullet and numbered lists,
// fenced code blocks, **bold** and `inline code`. The answer is untrusted text, so everything is
// built as DOM nodes with text content (never innerHTML): HTML in an answer shows as written.
// Other syntax (links, headings, tables, emphasis) stays as the model wrote it.
import { el } from "./core.js";

const ITEM = /^\s{0,3}(?:([-*+])|(\d{1,9})[.)])\s+(.*)$/;
const FENCE = /^\s{0,3}(```|~~~)/;
// Inline code first (its content is literal), then bold with either marker.
const INLINE = /`([^`\n]+)`|\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__/g;

/**
 * The blocks of `markdown`, in order: `{ type: "paragraph", text }`,
 * `{ type: "list", ordered, start, items }` and `{ type: "code", text }`.
 */
export function markdownBlocks(markdown) {
  const blocks = [];
  let open = null; // the paragraph, list or code block that the next line may extend
  for (const line of String(markdown).replace(/\r\n?/g, "\n").split("\n")) {
    if (open?.type === "code") {
      if (FENCE.test(line) && line.trim().startsWith(open.fence)) open = null;
      else open.lines.push(line);
      continue;
    }
    const fence = FENCE.exec(line);
    const item = ITEM.exec(line);
    if (fence) {
      open = { type: "code", fence: fence[1], lines: [] };
      blocks.push(open);
    } else if (line.trim() === "") {
      open = null;
    } else if (item) {
      const ordered = item[2] !== undefined;
      if (open?.type !== "list" || open.ordered !== ordered) {
        open = { type: "list", ordered, start: ordered ? Number(item[2]) : 1, items: [] };
        blocks.push(open);
      }
      open.items.push(item[3].trim());
    } else if (open?.type === "list") {
      // A line under an item continues it (markdown's lazy continuation).
      const last = open.items.length - 1;
      open.items[last] = `${open.items[last]} ${line.trim()}`;
    } else if (open?.type === "paragraph") {
      open.lines.push(line.trim());
    } else {
      open = { type: "paragraph", lines: [line.trim()] };
      blocks.push(open);
    }
  }
  return blocks.map((b) => {
    if (b.type === "code") return { type: "code", text: b.lines.join("\n") };
    if (b.type === "paragraph") return { type: "paragraph", text: b.lines.join("\n") };
    return { type: "list", ordered: b.ordered, start: b.start, items: b.items };
  });
}

/**
 * Inline markdown as nodes: `code` and **bold** (which may hold code); every other run of text
 * goes through `textNodes`, e.g. to link citations.
 */
export function inlineNodes(text, textNodes = (s) => [s]) {
  const out = [];
  let at = 0;
  for (const m of String(text).matchAll(INLINE)) {
    if (m.index > at) out.push(...textNodes(text.slice(at, m.index)));
    if (m[1] !== undefined) out.push(el("code", {}, m[1]));
    else out.push(el("strong", {}, ...inlineNodes(m[2] ?? m[3] ?? "", textNodes)));
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(...textNodes(text.slice(at)));
  return out;
}

/** `markdown` as block elements (p, ul, ol, pre), with `textNodes` applied to plain text runs. */
export function markdownNodes(markdown, textNodes) {
  return markdownBlocks(markdown).map((block) => {
    if (block.type === "code") return el("pre", {}, el("code", {}, block.text));
    if (block.type === "paragraph") return el("p", {}, ...inlineNodes(block.text, textNodes));
    const items = block.items.map((item) => el("li", {}, ...inlineNodes(item, textNodes)));
    const start = block.ordered && block.start !== 1 ? block.start : undefined;
    return el(block.ordered ? "ol" : "ul", { start }, ...items);
  });
}
