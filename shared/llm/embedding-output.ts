// Embeddings in OpenAI's response encodings: float arrays, or base64 of little-endian float32
// (what the official SDKs request by default). `dimensions` shortens a vector the way OpenAI's
// text-embedding-3 models do: keep the first n components and re-normalize.
import { float32ToBytes, l2normalize } from "../vector/vector.js";

/** The first `dimensions` components of a unit vector, re-normalized to unit length. */
export function shortenVector(v: Float32Array, dimensions: number): Float32Array {
  return dimensions >= v.length ? v : l2normalize(v.subarray(0, dimensions));
}

/** Base64 of the vector's little-endian float32 bytes. */
export function float32ToBase64(v: Float32Array): string {
  const bytes = new Uint8Array(float32ToBytes(v));
  let binary = "";
  // Chunked: String.fromCharCode with a huge spread overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** One vector as the response's `embedding` field. */
export function encodeEmbedding(v: Float32Array, format: "float" | "base64"): number[] | string {
  return format === "base64" ? float32ToBase64(v) : Array.from(v);
}
