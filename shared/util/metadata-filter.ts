// The shape of a metadata filter (exact match, or any of a list, per key). A plain data type at
// the bottom of shared/, so the answer cache key and the RAG path can both name it without
// importing each other.
/** Metadata equality filter: every key must match; an array value means "any of". */
export type MetadataFilter = Record<
  string,
  string | number | boolean | Array<string | number | boolean>
>;
