// Text from PDF files with unpdf (PDF.js built for server runtimes, pure JS). Pages are joined
// with blank lines so chunking can split between them; a broken or encrypted file is a value.
type PdfDocument = Awaited<ReturnType<typeof import("unpdf").getDocumentProxy>>;

export type PdfText =
  { ok: true; text: string; title: string | null; pages: number } | { ok: false; message: string };

/** The text and title of a PDF, or why it cannot be read. */
export async function pdfToText(bytes: Uint8Array): Promise<PdfText> {
  let doc: PdfDocument | null = null;
  try {
    // Loaded on first use: PDF.js is large, and most runs (or re-runs) parse no PDF at all.
    const { extractText, getDocumentProxy, getMeta } = await import("unpdf");
    // PDF.js takes ownership of the buffer it is given: hand it a copy.
    // verbosity 0: PDF.js would otherwise print recovery warnings over the progress bar.
    doc = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    const { text, totalPages } = await extractText(doc, { mergePages: false });
    const meta = await getMeta(doc).catch(() => null);
    const rawTitle: unknown = meta?.info.Title;
    const title = typeof rawTitle === "string" && rawTitle.trim() !== "" ? rawTitle.trim() : null;
    const pages = text.map((page) => page.replace(/[ \t]+\n/g, "\n").trim()).filter((p) => p);
    return { ok: true, text: pages.join("\n\n"), title, pages: totalPages };
  } catch (err) {
    const name = err instanceof Error ? err.name : "";
    const detail = err instanceof Error ? err.message : String(err);
    if (name === "PasswordException") return { ok: false, message: "PDF is encrypted" };
    return {
      ok: false,
      message: `not a readable PDF (${detail.trim() || name || "unknown error"})`,
    };
  } finally {
    await doc?.destroy().catch(() => undefined);
  }
}
