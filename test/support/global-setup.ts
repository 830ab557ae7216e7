// Vitest globalSetup (runs in Node): starts the real mock upstream HTTP server and hands its URL
// to the Workers pool, which binds it as OPENAI_BASE_URL.
import type { TestProject } from "vitest/node";
import { startMockUpstream } from "../mock-upstream/server.js";

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const upstream = await startMockUpstream({ port: 0 });
  provide("upstreamUrl", upstream.url);
  provide("upstreamControl", `http://127.0.0.1:${upstream.port}/_mock`);
  return () => upstream.close();
}

declare module "vitest" {
  export interface ProvidedContext {
    upstreamUrl: string;
    upstreamControl: string;
  }
}
