// Expands the paths given on the command line into the files to ingest, sorted so runs are
// deterministic. Inside folders, hidden entries and node_modules are not entered and files of
// other types are counted as ignored; a path named explicitly that cannot be used is a failure.
// A symlink inside a folder is followed only while its target stays inside that folder: a link
// to ~/.ssh or /etc must not upload what the user never pointed the CLI at.
import { readdir, realpath, stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { fileKind, type FileKind } from "./extract.js";

export interface FileEntry {
  /** Absolute path on disk. */
  path: string;
  /** Path relative to the base, with forward slashes: the basis of the document id. */
  relPath: string;
  kind: FileKind;
  size: number;
}

export interface WalkResult {
  files: FileEntry[];
  /** Files inside walked folders whose type the CLI does not read. */
  ignored: string[];
  /** Explicit paths that do not exist or are not usable, with the reason. */
  failures: Array<{ path: string; message: string }>;
}

/** `relPath` for a file: relative to `base` when inside it, else its absolute path. */
export function relativeTo(base: string, file: string): string {
  const rel = relative(base, file);
  const inside =
    rel !== "" && !rel.startsWith("..") && !rel.startsWith(sep) && !/^[a-z]:/i.test(rel);
  const path = inside ? rel : file.replace(/^[a-z]:/i, "");
  return path.split(sep).join("/").replace(/^\/+/, "");
}

function skipInFolder(name: string): boolean {
  return name.startsWith(".") || name === "node_modules";
}

/** Walks `paths` (files or folders) relative to `base`. */
export async function walkPaths(paths: readonly string[], base: string): Promise<WalkResult> {
  const files = new Map<string, FileEntry>();
  const ignored: string[] = [];
  const failures: WalkResult["failures"] = [];
  const seenDirs = new Set<string>();
  const absBase = resolve(base);

  const addFile = (path: string, size: number, explicit: boolean): void => {
    const kind = fileKind(path);
    const relPath = relativeTo(absBase, path);
    if (!kind) {
      if (explicit) failures.push({ path: relPath, message: "unsupported file type" });
      else ignored.push(relPath);
      return;
    }
    if (!files.has(path)) files.set(path, { path, relPath, kind, size });
  };

  const walkDir = async (dir: string, root: string): Promise<void> => {
    const real = await realpath(dir);
    if (seenDirs.has(real)) return; // a symlink loop or a folder named twice
    seenDirs.add(real);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      failures.push({ path: relativeTo(absBase, dir), message: errorMessage(err) });
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (skipInFolder(entry.name)) continue;
      const full = join(dir, entry.name);
      if (entry.isSymbolicLink() && !(await staysInside(full, root))) {
        ignored.push(relativeTo(absBase, full));
        continue;
      }
      let info;
      try {
        info = await stat(full); // follows symlinks
      } catch (err) {
        failures.push({ path: relativeTo(absBase, full), message: errorMessage(err) });
        continue;
      }
      if (info.isDirectory()) await walkDir(full, root);
      else if (info.isFile()) addFile(full, info.size, false);
    }
  };

  for (const given of paths) {
    const full = resolve(given);
    let info;
    try {
      info = await stat(full);
    } catch (err) {
      failures.push({ path: given, message: errorMessage(err) });
      continue;
    }
    if (info.isDirectory()) await walkDir(full, await realpath(full));
    else if (info.isFile()) addFile(full, info.size, true);
    else failures.push({ path: given, message: "not a file or folder" });
  }

  const sorted = [...files.values()].sort((a, b) => (a.relPath < b.relPath ? -1 : 1));
  return { files: sorted, ignored: ignored.sort(), failures };
}

/** Whether the symlink `link` resolves to a path inside `root` (a real path); false if broken. */
async function staysInside(link: string, root: string): Promise<boolean> {
  try {
    const target = await realpath(link);
    return target === root || target.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
  } catch {
    return false;
  }
}

/** A short reason for a file-system error ("no such file or directory", "permission denied"). */
export function errorMessage(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a folder";
  return err instanceof Error ? err.message : String(err);
}
