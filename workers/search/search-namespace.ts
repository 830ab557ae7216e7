// The one search call of the query path: a namespace's hybrid search, whatever its shard count.
// One shard: its object searches and merges on its own (one call, k chunks back). More: every
// shard is asked at once (at most SHARD_FANOUT calls in flight, see namespace-shards) for its
// candidates, and shared/search/merge-shards merges them exactly as one object merges its own
// (dense by exact cosine, lexical by BM25 over the summed statistics, then RRF), so the ranking
// does not depend on the shard count. The result carries the head's version and cache state.
//
// The calls run in parallel, so the head's version and another shard's candidates are not read
// at one instant: a write could land between them and its new version be paired with the old
// candidates. The head records which shard versions its version counts (settleWrite in
// namespace-documents); an answer whose shards are older than that is asked again, so what the
// answer cache files under a version always holds every write that version counts.
import { mergeShardResults } from "../../shared/search/merge-shards.js";
import type { AppContext } from "../context.js";
import type { SearchParams, SearchResult, ShardSearchAnswer } from "../do/index-object.js";
import { candidatesFor, retrievedChunks, type ShardChunk } from "../do/shard-search.js";
import {
  allShards,
  fanOut,
  layoutRefusedError,
  withShards,
  type ShardLayout,
} from "../tenancy/namespace-shards.js";

/** Fan-outs tried when shards answer older than the head's version counts. */
const CONSISTENT_ATTEMPTS = 3;

/** The namespace's best `params.k` chunks, with the version and cache state they were read at. */
export function searchNamespace(
  app: AppContext,
  namespace: string,
  params: SearchParams,
): Promise<SearchResult> {
  return withShards(app, namespace, async (layout) => {
    if (layout.shards === 1) {
      const found = await layout.stub(0).search(params, layout.claim(0));
      // Handed to withShards as the refusal other calls throw, so it learns and retries alike.
      if (found.layoutRefused !== undefined) throw layoutRefusedError(found.layoutRefused);
      return found;
    }
    let answers = await askShards(layout, params);
    for (let attempt = 1; attempt < CONSISTENT_ATTEMPTS && !consistent(answers); attempt++) {
      answers = await askShards(layout, params);
    }
    const head = answers[0]?.head;
    if (!head) throw new Error("searchNamespace: the head shard answered without its state");
    const fused = mergeShardResults(
      answers.map((a) => a.result),
      { k: params.k, candidates: candidatesFor(params.k) },
    );
    const chunks = new Map<string, ShardChunk>();
    for (const a of answers)
      for (const [id, chunk] of Object.entries(a.chunks)) chunks.set(id, chunk);
    return {
      version: head.state.version,
      chunks: retrievedChunks(fused, (id) => chunks.get(id)),
      state: head.state,
    };
  });
}

function askShards(layout: ShardLayout, params: SearchParams): Promise<ShardSearchAnswer[]> {
  return fanOut(allShards(layout), (shard) =>
    layout.stub(shard).searchShard(params, layout.claim(shard)),
  );
}

/** Every shard answered at least at the version the head's version counts for it. */
function consistent(answers: readonly ShardSearchAnswer[]): boolean {
  const acks = answers[0]?.head?.acks ?? {};
  return answers.every((a, shard) => shard === 0 || a.version >= (acks[String(shard)] ?? 0));
}
