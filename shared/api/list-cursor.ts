// Opaque pagination cursors: the last id of a page, base64url-encoded so clients pass it back
// as it is instead of building their own, and so ids with `/`, `+` or spaces travel in a URL.

/** The cursor that continues after `id`. */
export function encodeCursor(id: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(id)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The id a cursor continues after, or null when it is not a cursor this API made. */
export function decodeCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const id = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    return id.length > 0 ? id : null;
  } catch {
    return null;
  }
}
