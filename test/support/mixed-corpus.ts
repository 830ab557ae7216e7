// Generates a folder of mixed documents for ingest tests and benchmarks: Markdown, text, HTML
// and PDF files in nested folders, each with a unique marker word, plus chosen unreadable files
// and a file of another type.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { brokenPdf, makePdf } from "./make-pdf.js";

export interface MixedCorpus {
  /** Readable files: relative path and its unique marker word. */
  readable: Array<{ relPath: string; marker: string }>;
  /** Files that cannot be read (a corrupt PDF, a non-UTF-8 text file). */
  unreadable: string[];
  /** Files of a type the CLI does not read. */
  ignored: string[];
}

const KINDS = ["md", "txt", "html", "pdf"] as const;

/** Writes `total` documents (of which `unreadable` cannot be read) plus one image under `dir`. */
export async function writeMixedCorpus(
  dir: string,
  options: { total: number; unreadable: number; tag?: string },
): Promise<MixedCorpus> {
  const tag = options.tag ?? "doc";
  const corpus: MixedCorpus = { readable: [], unreadable: [], ignored: [] };
  const write = async (rel: string, content: string | Uint8Array): Promise<void> => {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), content);
  };
  for (let i = 0; i < options.total - options.unreadable; i++) {
    const kind = KINDS[i % KINDS.length] ?? "md";
    const marker = `${tag}marker${i}x${(i * 7919) % 10007}`;
    const rel = `${kind}/group-${i % 5}/${tag}-${String(i).padStart(3, "0")}.${kind}`;
    const body = `Document ${i} of the ${tag} set talks about topic ${i % 17}. Its unique word is ${marker}.`;
    const extra = `Section two of document ${i} adds more sentences so chunking has work to do.`;
    if (kind === "md") await write(rel, `# ${tag} ${i}\n\n${body}\n\n## More\n\n${extra}\n`);
    else if (kind === "txt") await write(rel, `${body}\n\n${extra}\n`);
    else if (kind === "html") {
      await write(
        rel,
        `<html><head><title>${tag} ${i}</title><script>window.track = "noise${i}";</script></head><body><h1>${tag} ${i}</h1><p>${body}</p><p>${extra}</p></body></html>`,
      );
    } else await write(rel, makePdf([body, extra], `${tag} ${i}`));
    corpus.readable.push({ relPath: rel, marker });
  }
  for (let i = 0; i < options.unreadable; i++) {
    const rel = i % 2 === 0 ? `broken/${tag}-corrupt-${i}.pdf` : `broken/${tag}-latin1-${i}.txt`;
    await write(rel, i % 2 === 0 ? brokenPdf() : new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    corpus.unreadable.push(rel);
  }
  await write("images/logo.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
  corpus.ignored.push("images/logo.png");
  return corpus;
}
