// Writes tiny valid PDFs by hand (one page per string, Helvetica text objects, a correct xref
// table), so tests need no PDF files checked in and nothing downloaded.

function escapePdfString(text: string): string {
  return text.replace(/[\\()]/g, (c) => `\\${c}`);
}

/** A PDF whose pages show `pages` (ASCII text), with an optional document title. */
export function makePdf(pages: string[], title?: string): Uint8Array {
  const objects: string[] = [];
  const pageIds: number[] = [];
  // 1: catalog, 2: pages, 3: font, 4: info; pages and their contents follow.
  objects.push("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push(""); // pages, filled in once the kids are known
  objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  objects.push(title ? `<< /Title (${escapePdfString(title)}) >>` : "<< >>");
  for (const text of pages) {
    const lines = text
      .split("\n")
      .map((line, i) => `BT /F1 12 Tf 72 ${720 - i * 16} Td (${escapePdfString(line)}) Tj ET`);
    const stream = lines.join("\n");
    const contentId = objects.length + 2;
    const pageId = objects.length + 1;
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${contentId} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`,
    );
    objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
    pageIds.push(pageId);
  }
  objects[1] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pageIds.length} >>`;
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 4 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, "latin1"));
}

/** Bytes that start like a PDF and are not one. */
export function brokenPdf(): Uint8Array {
  return new Uint8Array(
    Buffer.from("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\ngarbage", "latin1"),
  );
}
