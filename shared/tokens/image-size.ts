// The pixel size of an image sent inline as a data URL, read from its header (PNG, GIF, JPEG,
// WebP), so it can be counted exactly instead of at the worst case. Only a bounded prefix is
// decoded: a header that is not found there is "unknown", never a guess.
//
// Never fetches anything: an http(s) URL's size is unknown by design.

/** Base64 characters decoded at most (48 KiB of image), enough for any real JPEG header. */
const MAX_BASE64_PREFIX = 65_536;

/**
 * The `{ width, height }` of a `data:image/...;base64,` URL, or undefined when it is not one, its
 * format is not known, or its header is malformed or beyond the decoded prefix.
 *
 * @example
 * dataUrlImageSize("data:image/png;base64,iVBORw0KGgo..."); // { width: 1024, height: 768 }
 */
export function dataUrlImageSize(url: string): { width: number; height: number } | undefined {
  const comma = url.indexOf(",");
  if (!url.startsWith("data:") || comma === -1 || comma > 200) return undefined;
  if (!/;base64$/i.test(url.slice(0, comma))) return undefined;
  let prefix = url.slice(comma + 1, comma + 1 + MAX_BASE64_PREFIX).replace(/[^A-Za-z0-9+/]/g, "");
  prefix = prefix.slice(0, prefix.length - (prefix.length % 4));
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(prefix), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
  const size = pngSize(bytes) ?? gifSize(bytes) ?? webpSize(bytes) ?? jpegSize(bytes);
  return size && size.width > 0 && size.height > 0 ? size : undefined;
}

type Size = { width: number; height: number } | undefined;

const be16 = (b: Uint8Array, i: number): number => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const le16 = (b: Uint8Array, i: number): number => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const be32 = (b: Uint8Array, i: number): number => be16(b, i) * 65_536 + be16(b, i + 2);
const le24 = (b: Uint8Array, i: number): number => le16(b, i) + (b[i + 2] ?? 0) * 65_536;
const ascii = (b: Uint8Array, i: number, n: number): string =>
  String.fromCharCode(...b.subarray(i, i + n));

function pngSize(b: Uint8Array): Size {
  if (b.length < 24 || ascii(b, 1, 3) !== "PNG" || ascii(b, 12, 4) !== "IHDR") return undefined;
  return { width: be32(b, 16), height: be32(b, 20) };
}

function gifSize(b: Uint8Array): Size {
  if (b.length < 10 || ascii(b, 0, 4) !== "GIF8") return undefined;
  return { width: le16(b, 6), height: le16(b, 8) };
}

function webpSize(b: Uint8Array): Size {
  if (b.length < 30 || ascii(b, 0, 4) !== "RIFF" || ascii(b, 8, 4) !== "WEBP") return undefined;
  const chunk = ascii(b, 12, 4);
  if (chunk === "VP8X") return { width: le24(b, 24) + 1, height: le24(b, 27) + 1 };
  if (chunk === "VP8 ") return { width: le16(b, 26) & 0x3fff, height: le16(b, 28) & 0x3fff };
  if (chunk === "VP8L") {
    const bits = (b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  return undefined;
}

/** Walks the JPEG markers to the first start-of-frame (SOF0-15 except DHT, JPG and DAC). */
function jpegSize(b: Uint8Array): Size {
  if (b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const isSof = marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker);
    if (isSof) return { width: be16(b, i + 7), height: be16(b, i + 5) };
    const length = be16(b, i + 2);
    if (length < 2) return undefined;
    i += 2 + length;
  }
  return undefined;
}
