// Text extraction per file type: what is read, what is refused and why, and titles.
import { describe, expect, it } from "vitest";
import { extractDocument, fileKind, MAX_TEXT_CHARS } from "../../../cli/ingest/extract.js";
import { brokenPdf, makePdf } from "../../support/make-pdf.js";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("extractDocument", () => {
  it("reads Markdown and titles it by its first heading", async () => {
    const r = await extractDocument(
      "a/guide.md",
      "markdown",
      utf8("Intro line\r\n\r\n## Setup ##\nSteps."),
    );
    expect(r).toEqual({ ok: true, text: "Intro line\n\n## Setup ##\nSteps.", title: "Setup" });
  });

  it("titles plain text by its file name", async () => {
    const r = await extractDocument("notes/meeting-03.txt", "text", utf8("\uFEFFAgenda: budgets."));
    expect(r).toEqual({ ok: true, text: "Agenda: budgets.", title: "meeting-03" });
  });

  it("refuses text that is not UTF-8, and binary content, as unreadable", async () => {
    const latin1 = await extractDocument("x.txt", "text", new Uint8Array([0x63, 0x61, 0x66, 0xe9]));
    expect(latin1).toEqual({ ok: false, reason: "unreadable", message: "not UTF-8 text" });
    const binary = await extractDocument("x.md", "markdown", new Uint8Array([0x41, 0, 0x42]));
    expect(binary).toMatchObject({ ok: false, reason: "unreadable" });
  });

  it("tells an empty document apart from a broken one", async () => {
    expect(await extractDocument("e.md", "markdown", utf8("  \n\n "))).toMatchObject({
      ok: false,
      reason: "empty",
    });
    expect(await extractDocument("e.html", "html", utf8("<script>x()</script>"))).toMatchObject({
      ok: false,
      reason: "empty",
    });
  });

  it("extracts HTML text without scripts and titles it by <title>", async () => {
    const html =
      "<html><head><title>Leave &amp; holidays</title><style>p{}</style></head><body><p>25 days.</p><script>track()</script></body></html>";
    expect(await extractDocument("hr.html", "html", utf8(html))).toEqual({
      ok: true,
      text: "25 days.",
      title: "Leave & holidays",
    });
  });

  it("extracts the text of every page of a PDF, and its title", async () => {
    const pdf = makePdf(["First page says aurora-lynx.", "Second page (part two)."], "Field Notes");
    const r = await extractDocument("field.pdf", "pdf", pdf);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.title).toBe("Field Notes");
    expect(r.text).toContain("aurora-lynx");
    expect(r.text).toContain("Second page (part two).");
    expect(r.text.indexOf("aurora")).toBeLessThan(r.text.indexOf("Second"));
  });

  it("reports a corrupt PDF as unreadable with PDF.js's reason", async () => {
    const r = await extractDocument("broken.pdf", "pdf", brokenPdf());
    expect(r).toMatchObject({ ok: false, reason: "unreadable" });
    if (!r.ok) expect(r.message).toMatch(/^not a readable PDF \(.+\)$/);
  });

  it("refuses text beyond the server's per-document limit", async () => {
    const r = await extractDocument("big.txt", "text", utf8("a".repeat(MAX_TEXT_CHARS + 1)));
    expect(r).toMatchObject({ ok: false, reason: "unreadable" });
  });
});

describe("fileKind", () => {
  it("knows the supported extensions, in any case, and nothing else", () => {
    expect(["a.MD", "b.markdown", "c.txt", "d.HTM", "e.html", "f.Pdf"].map(fileKind)).toEqual([
      "markdown",
      "markdown",
      "text",
      "html",
      "html",
      "pdf",
    ]);
    expect(fileKind("g.png")).toBeNull();
    expect(fileKind("Makefile")).toBeNull();
  });
});
