// Hybrid search of one INDEX object on its own: its shard candidates (workers/do/shard-search)
// merged exactly as a sharded namespace's coordinator merges many (shared/search/merge-shards):
// dense by exact cosine, lexical by BM25 over the object's statistics, fused by reciprocal rank.
// One code path for every shard count is what makes a 1-shard and an n-shard namespace rank the
// same corpus alike.
import type { RetrievedChunk } from "../../shared/rag/types.js";
import { mergeShardResults } from "../../shared/search/merge-shards.js";
import type { SearchParams } from "./index-types.js";
import type { SearchMemory } from "./search-memory.js";
import { candidatesFor, retrievedChunks, searchShard } from "./shard-search.js";

/** The best `params.k` chunks for the query, scored by fused rank. */
export function hybridSearch(
  sql: SqlStorage,
  memory: SearchMemory,
  params: SearchParams,
): RetrievedChunk[] {
  const { result, chunks } = searchShard(sql, memory, params);
  const fused = mergeShardResults([result], {
    k: params.k,
    candidates: candidatesFor(params.k),
  });
  return retrievedChunks(fused, (id) => chunks[id]);
}
