// Quoting untrusted text (retrieved document chunks) inside a prompt. Each chunk sits between a
// `<source ...>` opener and a `</source>` closer; any opener or closer the chunk itself contains
// is escaped (`<` becomes `&lt;`), so text from a document can never end its own quotation and
// pose as instructions that follow it. Attribute values are escaped the same way.

/** The tag that fences one retrieved chunk. */
export const SOURCE_TAG = "source";

// `<source`, `</source`, `< / source` in any case: the forms a model could read as the tag.
const TAG_LIKE = new RegExp(`<(\\s*/?\\s*${SOURCE_TAG})`, "gi");

/** `text` with every opener or closer of the source tag escaped; everything else unchanged. */
export function escapeFenced(text: string): string {
  return text.replace(TAG_LIKE, "&lt;$1");
}

/** An attribute value on one line, with quotes and angle brackets escaped. */
export function attributeValue(text: string): string {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .replace(/&/g, "&amp;")
    .replace(/"/g, "&quot;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/**
 * The opening fence of a quoted source, with its attributes (already single-line values).
 *
 * @example
 * sourceOpen({ id: "1", title: "KV" }); // '<source id="1" title="KV">\n'
 */
export function sourceOpen(attributes: Record<string, string>): string {
  const attrs = Object.entries(attributes)
    .filter(([, value]) => value !== "")
    .map(([name, value]) => ` ${name}="${attributeValue(value)}"`)
    .join("");
  return `<${SOURCE_TAG}${attrs}>\n`;
}

/** The closing fence of a quoted source. */
export const SOURCE_CLOSE = `\n</${SOURCE_TAG}>`;

/**
 * `text` quoted as one source: opener, the escaped text, closer.
 *
 * @example
 * quoteSource({ id: "1" }, "a </source> b"); // '<source id="1">\na &lt;/source> b\n</source>'
 */
export function quoteSource(attributes: Record<string, string>, text: string): string {
  return sourceOpen(attributes) + escapeFenced(text) + SOURCE_CLOSE;
}
