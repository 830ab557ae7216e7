// The Documents page: browse GET /v1/documents (by id prefix, a page at a time), view one, delete
// it, and upload files as the body of POST /v1/documents, all in the namespace picked. HTML is reduced to its text here, in
// the browser, so only text reaches the index. Uses the API key when one is saved.
import { $, api, documentPath, el, fillPairs, fmt, wireDialog } from "./core.js";
import { pickedNamespace } from "./namespaces.js";

const PAGE = 50;
let docs = [];
let nextCursor = null;
let current = null;

const status = (text) => ($("docs-status").textContent = text);
const namespace = () => pickedNamespace("docs-namespace");
/** A document's URL in the picked namespace. */
const docUrl = (id) => `${documentPath(id)}?${new URLSearchParams({ namespace: namespace() })}`;

function render() {
  const body = $("docs-table").querySelector("tbody");
  body.replaceChildren(
    ...(docs.length === 0
      ? [el("tr", {}, el("td", { colspan: "4", class: "muted empty" }, "No documents match."))]
      : docs.map((d, i) =>
          el(
            "tr",
            { tabindex: "0", "data-index": i },
            el("td", { class: "mono ellipsis", title: d.id }, d.id),
            el("td", { class: "c-title ellipsis" }, fmt.text(d.title)),
            el("td", { class: "num" }, fmt.int(d.chunks)),
            el("td", { class: "c-updated nowrap", title: d.updated_at }, fmt.ago(d.updated_at)),
          ),
        )),
  );
  $("docs-more").hidden = !nextCursor;
}

/** Loads the first page for the current prefix, or the next page. */
export async function loadDocuments({ more = false } = {}) {
  const p = new URLSearchParams({ namespace: namespace(), limit: String(PAGE) });
  const prefix = $("docs-prefix").value.trim();
  if (prefix) p.set("prefix", prefix);
  if (more && nextCursor) p.set("cursor", nextCursor);
  try {
    const page = await api(`/v1/documents?${p}`, { as: "key" });
    docs = more ? [...docs, ...page.data] : page.data;
    nextCursor = page.next_cursor ?? null;
    render();
    status(`${fmt.int(docs.length)} shown${nextCursor ? ", more available" : ""}.`);
  } catch (err) {
    docs = [];
    nextCursor = null;
    render();
    status(
      err.status === 404 || err.status === 405
        ? "This gateway does not list documents (GET /v1/documents)."
        : `Could not list documents (${err.message}).`,
    );
  }
}

async function open(doc) {
  current = doc;
  $("doc-detail-title").textContent = doc.title || doc.id;
  fillPairs($("doc-detail-meta"), [
    ["Id", el("code", {}, doc.id)],
    ["Source", doc.source],
    ["Chunks", fmt.int(doc.chunks)],
    ["Updated", doc.updated_at ? new Date(doc.updated_at).toLocaleString("en-GB") : undefined],
  ]);
  $("doc-detail-text").textContent = "Loading…";
  $("doc-detail").showModal();
  try {
    const full = await api(docUrl(doc.id), { as: "key" });
    const meta = Object.entries(full.metadata ?? {}).map(([k, v]) => [k, String(v)]);
    fillPairs($("doc-detail-meta"), [
      ["Id", el("code", {}, full.id)],
      ["Source", full.source],
      ["Chunks", fmt.int(full.chunks)],
      ["Embedding model", full.embedding_model],
      ["Updated", new Date(full.updated_at).toLocaleString("en-GB")],
      ...meta,
    ]);
    $("doc-detail-text").textContent = full.text ?? "";
  } catch (err) {
    $("doc-detail-text").textContent = `Could not load the document (${err.message}).`;
  }
}

async function remove() {
  if (!current || !confirm(`Delete "${current.id}" and its chunks from the index?`)) return;
  try {
    await api(docUrl(current.id), { as: "key", method: "DELETE" });
    $("doc-detail").close();
    await loadDocuments();
    status(`Deleted ${current.id}.`);
  } catch (err) {
    status(`Could not delete (${err.message}).`);
  }
}

/** A file's indexable text: HTML is reduced to its visible text. Scripts, styles and style
 * attributes go before parsing: even an inert parsed document reports them to the page's CSP. */
async function textOf(file) {
  const raw = await file.text();
  if (!/\.html?$/i.test(file.name) && file.type !== "text/html") return { text: raw };
  const cleaned = raw
    .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/\sstyle\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, "")
    .replace(/<(br|\/p|\/div|\/li|\/h[1-6]|\/tr|\/blockquote|\/pre)\b[^>]*>/gi, "$&\n");
  const doc = new DOMParser().parseFromString(cleaned, "text/html");
  const text = (doc.body?.textContent ?? "")
    .replace(/[ \t]+/g, " ")
    .replace(/\n\s*\n\s*/g, "\n\n")
    .trim();
  const title = doc.title.trim();
  return title ? { text, title } : { text };
}

/** A document id from a file name: the characters ids allow, nothing else. */
const idOf = (name) => name.replace(/[^\w.:/@~+-]+/g, "-").slice(0, 256);

async function upload() {
  const files = [...($("docs-file").files ?? [])];
  if (files.length === 0) return;
  status(`Uploading ${files.length} file${files.length > 1 ? "s" : ""}…`);
  try {
    const documents = [];
    for (const f of files) {
      const { text, title } = await textOf(f);
      if (!text.trim()) continue;
      documents.push({ id: idOf(f.name), text, source: f.name, ...(title ? { title } : {}) });
    }
    if (documents.length === 0) {
      status("Those files hold no text.");
      return;
    }
    const result = await api("/v1/documents", {
      as: "key",
      method: "POST",
      body: { documents, namespace: namespace() },
    });
    const chunks = (result.documents ?? []).reduce((n, d) => n + (d.chunks ?? 0), 0);
    $("docs-upload").reset();
    await loadDocuments();
    status(
      `Indexed ${documents.length} document${documents.length > 1 ? "s" : ""} (${fmt.int(chunks)} chunks).`,
    );
  } catch (err) {
    status(`Upload failed (${err.message}).`);
  }
}

export function initDocuments() {
  wireDialog($("doc-detail"));
  $("docs-search").addEventListener("submit", (e) => {
    e.preventDefault();
    void loadDocuments();
  });
  $("docs-more").addEventListener("click", () => void loadDocuments({ more: true }));
  $("docs-namespace").addEventListener("change", () => void loadDocuments());
  $("docs-file").addEventListener("change", () => void upload());
  $("docs-upload").addEventListener("submit", (e) => e.preventDefault());
  $("doc-delete").addEventListener("click", () => void remove());
  const body = $("docs-table").querySelector("tbody");
  const pick = (target) => {
    const tr = target.closest("tr[data-index]");
    const d = tr ? docs[Number(tr.dataset.index)] : undefined;
    if (d) void open(d);
  };
  body.addEventListener("click", (e) => pick(e.target));
  body.addEventListener("keydown", (e) => {
    if (e.key === "Enter") pick(e.target);
  });
}
