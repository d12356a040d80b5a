import { OkxClientOrderIdError } from './errors';

/**
 * Platform client order ids ↔ OKX `clOrdId`s ("case-sensitive alphanumerics, all numbers, or all
 * letters of up to 32 characters"), both ways without a table, so a restarted adapter still
 * recognises its orders. An id that already fits and does not start with `z` is sent as it is
 * (the platform's ULIDs: 26 upper-case letters and digits). Any other id is encoded: `z` + the
 * base-62 digits of its UTF-8 bytes behind a 0x01 marker byte (which keeps leading zero bytes),
 * so up to 22 bytes fit in 32 characters. `z` never starts an id sent as it is, so the two forms
 * cannot collide.
 */
const FITS = /^[A-Za-z0-9]{1,32}$/;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const MARKER = 'z';
const MAX_ENCODED_BYTES = 22;

export function toOkxClOrdId(clientOrderId: string): string {
  if (clientOrderId === '') throw new OkxClientOrderIdError(clientOrderId, 'is empty');
  if (FITS.test(clientOrderId) && !clientOrderId.startsWith(MARKER)) return clientOrderId;
  const bytes = Buffer.from(clientOrderId, 'utf8');
  if (bytes.length > MAX_ENCODED_BYTES) {
    throw new OkxClientOrderIdError(clientOrderId, `needs encoding for OKX and is ${bytes.length} bytes; at most ${MAX_ENCODED_BYTES} fit in a 32-character clOrdId`);
  }
  let n = 1n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let digits = '';
  while (n > 0n) {
    digits = ALPHABET[Number(n % 62n)] + digits;
    n /= 62n;
  }
  return MARKER + digits;
}

/**
 * The platform id of an OKX `clOrdId`: the inverse of `toOkxClOrdId` for ids it made; any other
 * `clOrdId` (an order placed elsewhere) is returned as it is, and `''` stays `''`.
 */
export function fromOkxClOrdId(clOrdId: string): string {
  if (!clOrdId.startsWith(MARKER) || clOrdId.length < 2) return clOrdId;
  let n = 0n;
  for (const c of clOrdId.slice(1)) {
    const digit = ALPHABET.indexOf(c);
    if (digit < 0) return clOrdId;
    n = n * 62n + BigInt(digit);
  }
  const bytes: number[] = [];
  while (n > 1n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  if (n !== 1n) return clOrdId;
  const decoded = Buffer.from(bytes).toString('utf8');
  // Only ids this mapping produced decode back to themselves; anything else is a foreign id starting with z.
  return toOkxClOrdIdSafe(decoded) === clOrdId ? decoded : clOrdId;
}

function toOkxClOrdIdSafe(id: string): string | undefined {
  try {
    return toOkxClOrdId(id);
  } catch (err) {
    if (err instanceof OkxClientOrderIdError) return undefined;
    throw err;
  }
}
