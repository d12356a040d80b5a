/**
 * OKX's order-book checksum: CRC32 (IEEE 802.3, the zlib polynomial) of the top 25 levels of
 * each side, interleaved `bidPx:bidSz:askPx:askSz` per level index (a side that runs out simply
 * contributes nothing more), joined by `:`, read as a signed 32-bit integer.
 *
 * The prices and sizes must be the venue's exact strings: a normalised decimal ("0.1" for the
 * venue's "0.10") changes the CRC. OKX deprecated the field (always 0 in production since June
 * 2026), but recordings and OKX-protocol venues (Okcoin) still carry real values.
 */

/** A level as the venue wrote it. */
export interface LevelText {
  readonly px: string;
  readonly sz: string;
}

/** How many levels of each side the checksum covers. */
export const OKX_CHECKSUM_DEPTH = 25;

// Node 20.0–20.14 has no zlib.crc32 and the payload is a few hundred bytes: a 1 KiB table does it.
const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC32 (IEEE) of a string's UTF-8 bytes as an unsigned 32-bit integer. */
export function crc32(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The string OKX hashes, from levels best first (only the first 25 of each side are used). */
export function checksumString(bids: readonly LevelText[], asks: readonly LevelText[]): string {
  const parts: string[] = [];
  for (let i = 0; i < OKX_CHECKSUM_DEPTH; i++) {
    const bid = bids[i];
    const ask = asks[i];
    if (bid === undefined && ask === undefined) break;
    if (bid !== undefined) parts.push(bid.px, bid.sz);
    if (ask !== undefined) parts.push(ask.px, ask.sz);
  }
  return parts.join(':');
}

/** The checksum OKX sends for a book whose best levels are these (signed 32-bit). */
export function okxChecksum(bids: readonly LevelText[], asks: readonly LevelText[]): number {
  return crc32(checksumString(bids, asks)) | 0;
}
