// The sample corpus: the project's own documentation, bundled as text (wrangler's Text rule for
// *.md) so a fresh development index can answer questions about ragway at once.
import type { DocumentInput } from "../shared/rag/types.js";
import api from "../docs/api.md";
import architecture from "../docs/architecture.md";
import caching from "../docs/caching.md";
import configurationAndDeploy from "../docs/configuration-and-deploy.md";
import keysAndAuth from "../docs/keys-and-auth.md";
import modelsAndRouting from "../docs/models-and-routing.md";
import observability from "../docs/observability.md";
import overview from "../docs/overview.md";
import quickstart from "../docs/quickstart.md";
import rateLimits from "../docs/rate-limits.md";
import resilience from "../docs/resilience.md";
import retrieval from "../docs/retrieval.md";
import tokensAndCost from "../docs/tokens-and-cost.md";

const PAGES: Record<string, string> = {
  api: api,
  architecture: architecture,
  caching: caching,
  "configuration-and-deploy": configurationAndDeploy,
  "keys-and-auth": keysAndAuth,
  "models-and-routing": modelsAndRouting,
  observability: observability,
  overview: overview,
  quickstart: quickstart,
  "rate-limits": rateLimits,
  resilience: resilience,
  retrieval: retrieval,
  "tokens-and-cost": tokensAndCost,
};

/** One document per docs page; ids are the page names, so re-seeding replaces rather than duplicates. */
export const SAMPLE_CORPUS: DocumentInput[] = Object.entries(PAGES).map(([name, text]) => ({
  id: name,
  text,
  source: `docs/${name}.md`,
  metadata: { corpus: "sample" },
}));
