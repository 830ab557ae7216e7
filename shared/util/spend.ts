// The one type for an amount of tokens and US dollars: what a request reserves, spends, is
// refused, or saves from a cache. Every other name for the pair is an alias of this.

/** Tokens (prompt + completion + embedding) and USD. */
export interface Spend {
  tokens: number;
  usd: number;
}
