// Walking paths: sorted files of known types, hidden folders and node_modules skipped, other
// types ignored inside folders but refused when named, missing paths reported.
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { relativeTo, walkPaths } from "../../../cli/ingest/walk.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "ragway-walk-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function touch(...names: string[]): Promise<void> {
  for (const name of names) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), "x");
  }
}

describe("walkPaths", () => {
  it("lists readable files sorted by path, skipping hidden entries and node_modules", async () => {
    await touch(
      "b.md",
      "a/z.txt",
      "a/y.HTML",
      "c.pdf",
      ".git/x.md",
      ".env.md",
      "node_modules/m.md",
      "img.png",
    );
    const r = await walkPaths([dir], dir);
    expect(r.files.map((f) => `${f.relPath}:${f.kind}`)).toEqual([
      "a/y.HTML:html",
      "a/z.txt:text",
      "b.md:markdown",
      "c.pdf:pdf",
    ]);
    expect(r.ignored).toEqual(["img.png"]);
    expect(r.failures).toEqual([]);
  });

  it("refuses an explicitly named file of another type and reports missing paths", async () => {
    await touch("img.png", "ok.md");
    const r = await walkPaths([join(dir, "img.png"), join(dir, "ok.md"), join(dir, "nope")], dir);
    expect(r.files.map((f) => f.relPath)).toEqual(["ok.md"]);
    expect(r.failures).toEqual([
      { path: "img.png", message: "unsupported file type" },
      { path: join(dir, "nope"), message: "no such file or directory" },
    ]);
  });

  it("lists a file named twice once and survives a symlink loop", async () => {
    await touch("a/one.md");
    await symlink(join(dir, "a"), join(dir, "a", "loop"));
    const r = await walkPaths([dir, join(dir, "a", "one.md")], dir);
    expect(r.files.map((f) => f.relPath)).toEqual(["a/one.md"]);
  });
});

describe("relativeTo", () => {
  it("does not follow symlinks out of the folder it was given, but follows those inside", async () => {
    const outside = await mkdtemp(join(tmpdir(), "ragway-walk-outside-"));
    try {
      await writeFile(join(outside, "secret.md"), "private");
      await mkdir(join(outside, "keys"));
      await writeFile(join(outside, "keys", "id.txt"), "private");
      await touch("docs/a.md", "docs/sub/b.md");
      await symlink(join(outside, "secret.md"), join(dir, "docs", "leak.md"));
      await symlink(join(outside, "keys"), join(dir, "docs", "keys"));
      await symlink(join(dir, "docs", "sub", "b.md"), join(dir, "docs", "alias.md"));
      await symlink(join(dir, "docs", "gone.md"), join(dir, "docs", "broken.md"));
      const walked = await walkPaths([join(dir, "docs")], dir);
      expect(walked.files.map((f) => f.relPath)).toEqual([
        "docs/a.md",
        "docs/alias.md",
        "docs/sub/b.md",
      ]);
      expect(walked.ignored).toEqual(["docs/broken.md", "docs/keys", "docs/leak.md"]);
      expect(JSON.stringify(walked)).not.toContain(outside);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("is relative inside the base and absolute (without the leading slash) outside", () => {
    expect(relativeTo("/data/docs", "/data/docs/a/b.md")).toBe("a/b.md");
    expect(relativeTo("/data/docs", "/elsewhere/c.md")).toBe("elsewhere/c.md");
  });
});
