// Namespace names: lower-case, start with a letter or digit, at most 63 characters, so a name is
// safe as a Durable Object name, a cache-key part and a metric label without escaping; and which
// names are live whatever their object says (`default`).
import { z } from "zod";
import { DEFAULT_NAMESPACE } from "./grants.js";

/** The pattern every namespace name matches. */
export const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** A namespace name, validated. */
export const NamespaceNameSchema = z
  .string()
  .regex(NAMESPACE_PATTERN, "must match [a-z0-9][a-z0-9_-]{0,62}");

/** True when `name` is a valid namespace name. */
export function isNamespaceName(name: string): boolean {
  return NAMESPACE_PATTERN.test(name);
}

/** True for `default` (never created through the admin API, always there), else what the
 * namespace's own INDEX object says about itself. */
export function isLive(namespace: string, objectSaysLive: boolean | undefined): boolean {
  return namespace === DEFAULT_NAMESPACE || objectSaysLive === true;
}
