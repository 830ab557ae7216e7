import { describe, expect, it } from "vitest";
import { dataUrlImageSize } from "../../../shared/tokens/image-size.js";

const dataUrl = (mime: string, bytes: number[]): string =>
  `data:${mime};base64,${Buffer.from(bytes).toString("base64")}`;

const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const be16 = (n: number) => [(n >>> 8) & 255, n & 255];
const le16 = (n: number) => [n & 255, (n >>> 8) & 255];
const le24 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

describe("dataUrlImageSize", () => {
  it("reads a PNG's IHDR", () => {
    const png = [
      0x89,
      ...ascii("PNG\r\n\x1a\n"),
      0,
      0,
      0,
      13,
      ...ascii("IHDR"),
      ...be32(1920),
      ...be32(1080),
      8,
      6,
      0,
      0,
      0,
    ];
    expect(dataUrlImageSize(dataUrl("image/png", png))).toEqual({ width: 1920, height: 1080 });
  });

  it("reads a GIF's logical screen", () => {
    const gif = [...ascii("GIF89a"), ...le16(640), ...le16(480), 0, 0, 0];
    expect(dataUrlImageSize(dataUrl("image/gif", gif))).toEqual({ width: 640, height: 480 });
  });

  it("walks a JPEG's segments to its start of frame", () => {
    const app0 = [0xff, 0xe0, ...be16(16), ...ascii("JFIF\0"), 1, 1, 0, 0, 1, 0, 1, 0, 0];
    const sof0 = [
      0xff,
      0xc0,
      ...be16(17),
      8,
      ...be16(3000),
      ...be16(4000),
      3,
      1,
      0x22,
      0,
      2,
      0x11,
      1,
      3,
      0x11,
      1,
    ];
    const jpeg = [0xff, 0xd8, ...app0, ...sof0, 0xff, 0xd9];
    expect(dataUrlImageSize(dataUrl("image/jpeg", jpeg))).toEqual({ width: 4000, height: 3000 });
  });

  it("reads an extended WebP's canvas", () => {
    const webp = [
      ...ascii("RIFF"),
      0,
      0,
      0,
      0,
      ...ascii("WEBPVP8X"),
      10,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      ...le24(799),
      ...le24(599),
      0,
      0,
    ];
    expect(dataUrlImageSize(dataUrl("image/webp", webp))).toEqual({ width: 800, height: 600 });
  });

  it("knows nothing of URLs, unknown formats, garbage and headers past the decoded prefix", () => {
    expect(dataUrlImageSize("https://images.example/cat.png")).toBeUndefined();
    expect(dataUrlImageSize(dataUrl("image/bmp", ascii("BM......")))).toBeUndefined();
    expect(dataUrlImageSize("data:image/png;base64,!!!!")).toBeUndefined();
    expect(dataUrlImageSize("data:image/png,not-base64")).toBeUndefined();
    // A JPEG whose frame header sits behind 100 kB of metadata.
    const filler = Array.from({ length: 2 }, () => [
      0xff,
      0xe1,
      ...be16(65_000),
      ...new Array<number>(64_998).fill(0),
    ]).flat();
    const jpeg = [0xff, 0xd8, ...filler, 0xff, 0xc0, ...be16(17), 8, ...be16(10), ...be16(10)];
    expect(dataUrlImageSize(dataUrl("image/jpeg", jpeg))).toBeUndefined();
  });
});
