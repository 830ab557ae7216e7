// Seeds an empty development index with the sample corpus (the project's own docs), once per
// index: the INDEX object's `claimSeed` flag makes it happen once even after later deletes.
import { ingestDocuments } from "../shared/rag/ingest.js";
import type { AppContext } from "./context.js";
import { embedderFor } from "./embedder.js";
import { SAMPLE_CORPUS } from "./sample-corpus.js";
import { noteIndexWrite } from "./cache/cache-state.js";
import { getServices, indexStub } from "./services.js";
import { DEFAULT_NAMESPACE } from "../shared/tenancy/grants.js";
import { sendIndexReports } from "./tenancy/index-reports.js";

/** Concurrent first requests in an isolate wait for the same seeding instead of racing past it. */
let seeding: Promise<void> | null = null;

/** Loads the sample corpus when SEED_SAMPLE_CORPUS is on and the index has never been seeded. */
export async function ensureSeeded(app: AppContext): Promise<void> {
  if (!app.config.SEED_SAMPLE_CORPUS) return;
  seeding ??= seed(app).catch((err: unknown) => {
    seeding = null;
    throw err;
  });
  await seeding;
}

async function seed(app: AppContext): Promise<void> {
  const index = indexStub(app.env);
  if (await index.claimSeed()) {
    const result = await ingestDocuments(SAMPLE_CORPUS, {
      counter: getServices(app.config).counter,
      embeddingModel: app.config.embeddingModel,
      embed: embedderFor(app, "ingest"),
      existing: (ids) => index.hashes(ids),
      store: async (docs) => {
        const stored = await index.upsert(docs);
        noteIndexWrite(app, stored.version);
        await sendIndexReports(app, DEFAULT_NAMESPACE, [[0, stored.report]]);
        return stored;
      },
    });
    if (result.ok) app.logger.info("sample_corpus_seeded", { documents: SAMPLE_CORPUS.length });
    else app.logger.warn("sample_corpus_seed_failed", { reason: result.failure.message });
  }
}
