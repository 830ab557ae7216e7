// Request parameters the gateway cannot bill correctly, refused before any call. The catalog
// holds standard-tier text and image prices only: a request that would be billed otherwise
// (another service tier, audio) would spend money no budget sees. `store: true` keeps callers'
// prompts in the operator's provider account, so the operator must allow it.

/** A refused parameter: the 400's `param` and message. */
export interface ParamRefusal {
  param: string;
  message: string;
}

/** What the operator allows. */
export interface BillingPolicy {
  /** ALLOW_STORE: whether callers may ask the provider to store their completions. */
  allowStore: boolean;
}

/** Service tiers billed at the catalog's (standard) prices. */
const PRICED_TIERS = new Set(["auto", "default"]);

/**
 * The first parameter of a chat-completions body that the gateway refuses, or null.
 *
 * @example
 * billingRefusal({ messages, store: true }, { allowStore: false });
 * // { param: "store", message: "..." }
 */
export function billingRefusal(
  body: { messages: readonly unknown[] } & Record<string, unknown>,
  policy: BillingPolicy,
): ParamRefusal | null {
  if (body.store === true && !policy.allowStore) {
    return {
      param: "store",
      message:
        "`store: true` is not allowed on this gateway: stored completions would be kept in the " +
        "operator's provider account (the operator can allow it with ALLOW_STORE)",
    };
  }
  const tier = body.service_tier;
  if (typeof tier === "string" && !PRICED_TIERS.has(tier)) {
    return {
      param: "service_tier",
      message: `service_tier "${tier.slice(0, 32)}" is not supported: calls are priced at the standard tier (use "auto" or "default", or leave it out)`,
    };
  }
  const modalities = body.modalities;
  if ((Array.isArray(modalities) && modalities.includes("audio")) || isSet(body.audio)) {
    return {
      param: Array.isArray(modalities) && modalities.includes("audio") ? "modalities" : "audio",
      message: "audio output is not supported: the model catalog has no audio prices",
    };
  }
  const audioAt = audioInputPath(body.messages);
  if (audioAt !== null) {
    return {
      param: audioAt,
      message: "audio input is not supported: the model catalog has no audio prices",
    };
  }
  return null;
}

const isSet = (value: unknown): boolean => value !== undefined && value !== null;

/** Where the first audio input is (`messages[i].content[j]`, `messages[i].audio`), or null. */
function audioInputPath(messages: readonly unknown[]): string | null {
  for (const [i, m] of messages.entries()) {
    if (typeof m !== "object" || m === null) continue;
    // An earlier audio answer, referenced by id, is replayed to the model as audio.
    if ("audio" in m && isSet(m.audio)) return `messages[${i}].audio`;
    const content: unknown = "content" in m ? m.content : undefined;
    if (!Array.isArray(content)) continue;
    for (const [j, part] of (content as unknown[]).entries()) {
      if (typeof part === "object" && part !== null && "type" in part) {
        if (part.type === "input_audio") return `messages[${i}].content[${j}]`;
      }
    }
  }
  return null;
}
