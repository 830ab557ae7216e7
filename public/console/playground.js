// The Playground: POST /v1/query and its answer (a safe markdown subset, citations linked), with
// sources ranked and a relevance bar relative to the best source (fusion scores such as 0.031 are
// rank-based and are not percentages), and snippets as plain text (markdown syntax stripped).
import { $, api, bar, el, fmt, isNum } from "./core.js";
import { markdownNodes } from "./markdown.js";
import { pickedNamespace } from "./namespaces.js";

/** Markdown reduced to readable plain text: no heading marks, fences, emphasis or link syntax. */
export function plainText(markdown) {
  return String(markdown)
    .replace(/^\s*(```|~~~).*$/gm, "") // code fences (the code itself stays)
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1") // images: their alt text
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1") // links: their text
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1") // reference links
    .replace(/^\s{0,3}#{1,6}\s+/gm, "") // headings
    .replace(/^\s{0,3}>\s?/gm, "") // block quotes
    .replace(/^\s*[-*+]\s+/gm, "• ") // bullets
    .replace(/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/gm, "") // table rules
    .replace(/(\*\*|__)(.+?)\1/g, "$2") // bold
    .replace(/(^|[^\w*])[*_]([^*_\n]+)[*_](?=[^\w*]|$)/g, "$1$2") // italics
    .replace(/`([^`]+)`/g, "$1") // inline code
    .replace(/<\/?[a-z][^>]*>/gi, "") // inline HTML tags
    .replace(/\s+/g, " ")
    .trim();
}

/** A run of answer text with its [n] citations linked to the sources list. */
function citationNodes(text, count) {
  return String(text)
    .split(/(\[\d+\])/)
    .filter(Boolean)
    .map((part) => {
      const m = /^\[(\d+)\]$/.exec(part);
      const n = m ? Number(m[1]) : 0;
      return m && n >= 1 && n <= count
        ? el("a", { href: `#source-${n}`, class: "cite", "aria-label": `source ${n}` }, part)
        : part;
    });
}

function sourceItem(s, i, best) {
  const text = plainText(s.text ?? "");
  const score = isNum(s.score) ? s.score : 0;
  const share = best > 0 ? score / best : 0;
  const relative = `${Math.round(share * 100)}% of the best match`;
  return el(
    "li",
    { id: `source-${i + 1}` },
    el(
      "div",
      { class: "source-head" },
      el("span", { class: "rank", title: "retrieval rank" }, `#${i + 1}`),
      el("span", { class: "source-title" }, s.title || s.id || "untitled"),
      el(
        "span",
        { class: "relevance" },
        bar(share, `relevance: ${relative}`),
        el("span", { class: "muted small" }, relative),
      ),
    ),
    el("div", { class: "muted small mono ellipsis" }, s.source || s.id || ""),
    el("p", {}, text.length > 320 ? `${text.slice(0, 320)}…` : text),
  );
}

function render(data, roundTripMs) {
  const sources = Array.isArray(data.sources) ? data.sources : [];
  $("answer").replaceChildren(
    ...markdownNodes(data.answer ?? "", (text) => citationNodes(text, sources.length)),
  );
  const usage = data.usage ?? {};
  $("meta-model").textContent = `${data.model ?? "–"}${data.degraded ? " (degraded)" : ""}`;
  $("meta-cache").textContent = data.cache ?? (data.from_cache ? "HIT" : "MISS");
  $("meta-tokens").textContent =
    `${fmt.int(usage.prompt_tokens)} in · ${fmt.int(usage.completion_tokens)} out`;
  $("meta-cost").textContent = fmt.usd(usage.cost_usd);
  const server = data.timings?.total_ms;
  $("meta-latency").textContent =
    `${isNum(server) ? `${fmt.ms(server)} at the gateway · ` : ""}${fmt.ms(roundTripMs)} round trip`;
  const best = Math.max(0, ...sources.map((s) => (isNum(s.score) ? s.score : 0)));
  $("sources").replaceChildren(...sources.map((s, i) => sourceItem(s, i, best)));
  $("result").hidden = false;
}

async function ask(event) {
  event.preventDefault();
  const question = $("question");
  const query = question.value.trim() || question.placeholder;
  question.value = query;
  const k = Math.min(20, Math.max(1, Number.parseInt($("k").value, 10) || 5));
  $("k").value = String(k);
  const body = {
    query,
    k,
    priority: $("priority").value,
    use_cache: $("use-cache").checked,
    namespace: pickedNamespace("play-namespace"),
  };
  const status = $("ask-status");
  $("ask").disabled = true;
  status.textContent = "Asking…";
  const started = performance.now();
  try {
    const data = await api("/v1/query", { as: "key", method: "POST", body });
    const ms = performance.now() - started;
    render(data, ms);
    status.textContent = `Answered in ${fmt.ms(ms)}.`;
  } catch (err) {
    status.textContent = `Error ${err.message}`;
  } finally {
    $("ask").disabled = false;
  }
}

export function initPlayground() {
  $("ask-form").addEventListener("submit", (e) => void ask(e));
}
