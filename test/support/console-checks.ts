// Checks every console page must pass in a browser: no "[object …]" or rendered null in the
// visible text, nothing wider than the screen, and a console free of errors.
import type { Page } from "playwright-core";

/**
 * Visible text that betrays a rendering bug: a stringified object ("[object HTMLElement]") or a
 * null/undefined/NaN that reached the page as text. `strict` flags the word "null" anywhere in
 * the text (the console pages never mean it); otherwise only a text node that is nothing but it
 * counts, so an API reference may print types such as "string | null".
 */
export async function visibleTextProblems(page: Page, strict = true): Promise<string[]> {
  // Browser-side expressions are strings: this project is type-checked without the DOM library.
  const { text, bare } = await page.evaluate<{ text: string; bare: string[] }>(`(() => {
    const bare = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const t = n.textContent.trim();
      const shown = n.parentElement && n.parentElement.checkVisibility();
      // A type union such as "string | null" prints the type null on purpose.
      const host = n.parentElement;
      const around = [n.previousSibling, n.nextSibling, host && host.previousSibling, host && host.nextSibling]
        .map((x) => (x ? x.textContent : ""));
      const union = /\\|\\s*$/.test(around[0] + "") || /^\\s*\\|/.test(around[1] + "") ||
        /\\|\\s*$/.test(around[2] + "") || /^\\s*\\|/.test(around[3] + "");
      // So does a code span in prose ("\`null\` when absent").
      const literal = host && host.tagName === "CODE";
      if (shown && /^(null|undefined|NaN)$/.test(t) && !union && !literal) {
        bare.push(n.parentElement.tagName.toLowerCase() + ": " + t);
      }
    }
    return { text: document.body.innerText, bare };
  })()`);
  const problems = [...bare];
  const pattern = strict
    ? /\[object [^\]]*\]|\bnull\b|\bundefined\b|\bNaN\b/g
    : /\[object [^\]]*\]/g;
  for (const m of text.matchAll(pattern)) {
    const at = m.index ?? 0;
    problems.push(text.slice(Math.max(0, at - 40), at + m[0].length + 20).replace(/\s+/g, " "));
  }
  return problems;
}

/** How many CSS pixels the page is wider than the viewport (0 when it fits). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>(
    "Math.max(0, document.scrollingElement.scrollWidth - window.innerWidth)",
  );
}

/** Collects page errors and console errors from the moment it is called. */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`${msg.text()} (${msg.location().url})`);
  });
  return errors;
}
