// `npm run bench -- planning`: the CPU of planning one chat request (shared/llm/chat-gateway
// planChat: counting the prompt, the task's shape, the model and its fallback chain) for an ask of
// 1, 10 and 100 KB of real text (Debian's license texts, which nobody in this project wrote), next
// to the previous design in the same run: the same plan with the ask's tokens counted a second time
// (the prompt's count includes them, and the task's shape counted them again). Then a conversation
// that resends its history with every turn, planned through the caller's memo of token counts
// (shared/tokens/count-memo, as the chat route plans) and without it. No text is sent twice except
// as a conversation's history. Prints numbers, asserts nothing.
import { DEFAULT_CATALOG } from "../shared/llm/catalog.js";
import { planChat, type ChatDeps } from "../shared/llm/chat-gateway.js";
import { createCountMemo } from "../shared/tokens/count-memo.js";
import { createTokenCounter } from "../shared/tokens/count.js";
import { realText, REAL_TEXT_DIR, textSlicer } from "./lib/real-text.js";
import { ms, printTable } from "./lib/stats.js";

export async function runPlanningBench(): Promise<void> {
  const text = realText();
  if (!text) {
    console.log(`skipped: no texts under ${REAL_TEXT_DIR}`);
    return;
  }
  const counter = createTokenCounter();
  const deps: ChatDeps = {
    catalog: DEFAULT_CATALOG,
    available: new Set(["local", "openai"]),
    counter,
    providerFor: () => {
      throw new Error("planning calls no provider");
    },
    resilience: {} as ChatDeps["resilience"],
  };
  /** The next request's text: the license texts' next characters, numbered so no text repeats
   * (the texts start over at their end, and a repeated text would be remembered). */
  const nextText = textSlicer(text);
  let asked = 0;
  const nextAsk = (length: number): string => `${++asked}. ${nextText(length)}`;
  // As the chat route plans: through the caller's memo of counts (one memo, as in an isolate).
  const remembered: ChatDeps = {
    ...deps,
    counter: createCountMemo().counterFor("principal:bench", counter),
  };
  const plan = (ask: string, using: ChatDeps) =>
    planChat(
      "gpt-4o-mini",
      "cost",
      {
        messages: [
          { role: "system", content: "Answer from the license texts only." },
          { role: "user", content: ask },
        ],
        max_tokens: 256,
      },
      using,
    );
  const shipped = (ask: string): void => {
    plan(ask, remembered);
  };
  // Before: every count made afresh, so the ask was counted twice.
  const previous = (ask: string): void => {
    plan(ask, deps);
  };
  const rows: string[][] = [];
  for (const kb of [1, 10, 100]) {
    const bytes = kb * 1024;
    const n = kb >= 100 ? 20 : kb >= 10 ? 100 : 500;
    for (let i = 0; i < 5; i++) previous(nextAsk(bytes));
    const spent: [number, number] = [0, 0];
    for (let i = 0; i < n; i++) {
      // Interleaved, which goes first alternating, so drift in the machine falls on both.
      const order: Array<0 | 1> = i % 2 === 0 ? [0, 1] : [1, 0];
      for (const which of order) {
        const ask = nextAsk(bytes);
        const t0 = performance.now();
        (which === 0 ? shipped : previous)(ask);
        spent[which] += performance.now() - t0;
      }
    }
    rows.push([`${kb} KB`, ms(spent[0] / n), ms(spent[1] / n), (spent[1] / spent[0]).toFixed(2)]);
  }
  printTable(
    `Planning one chat request, ask of real text (${REAL_TEXT_DIR}, ${text.length} characters), mean over ` +
      "interleaved requests",
    ["ask", "planChat", "previous: ask counted twice", "previous / planChat"],
    rows,
  );

  // A conversation: turn n resends the n - 1 turns before it (2 KB user turns, 1 KB answers),
  // as every chat client does. Planned through the caller's count memo, as the chat route does,
  // and without one, as before; each conversation uses new text.
  const rowsConv: string[][] = [];
  for (const turns of [10, 30, 60]) {
    const conversation: ChatDeps = {
      ...deps,
      counter: createCountMemo().counterFor("principal:bench", counter),
    };
    const history: Array<{ role: string; content: string }> = [
      { role: "system", content: "Answer from the license texts only." },
    ];
    const spent: [number, number] = [0, 0];
    for (let turn = 0; turn < turns; turn++) {
      history.push({ role: "user", content: nextAsk(2048) });
      const body = { messages: [...history], max_tokens: 256 };
      const order: Array<0 | 1> = turn % 2 === 0 ? [0, 1] : [1, 0];
      for (const which of order) {
        const t0 = performance.now();
        planChat("gpt-4o-mini", "cost", body, which === 0 ? conversation : deps);
        spent[which] += performance.now() - t0;
      }
      history.push({ role: "assistant", content: nextAsk(1024) });
    }
    rowsConv.push([
      `${turns} turns (${Math.round((turns * 3) / 1)} KB at the end)`,
      ms(spent[0] / turns),
      ms(spent[1] / turns),
      (spent[1] / spent[0]).toFixed(2),
    ]);
  }
  printTable(
    "Planning each request of a conversation (turns of real text; mean per request over the whole conversation)",
    [
      "conversation",
      "with the caller's count memo",
      "previous: every turn counted again",
      "previous / memo",
    ],
    rowsConv,
  );
}
