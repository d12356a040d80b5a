import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = -1;
let lastRandom = 0n;
const RANDOM_MAX = (1n << 80n) - 1n;

/**
 * A time-ordered unique id (ULID layout: 48-bit ms timestamp + 80 random bits, Crockford base32).
 * Used for client order ids and run ids: sortable, and safe as a NATS `Nats-Msg-Id`. Within one
 * millisecond the random part counts up, so ids sort in the order they were made.
 */
export function newId(now: number = Date.now()): string {
  let time = now;
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[time % 32] + out;
    time = Math.floor(time / 32);
  }
  let bits: bigint;
  if (now === lastTime && lastRandom < RANDOM_MAX) {
    bits = lastRandom + 1n;
  } else {
    bits = 0n;
    for (const b of randomBytes(10)) bits = (bits << 8n) | BigInt(b);
    // Leave headroom so the same millisecond can count up without overflowing.
    bits >>= 1n;
  }
  lastTime = now;
  lastRandom = bits;
  let random = '';
  for (let i = 0; i < 16; i++) {
    random = CROCKFORD[Number(bits & 31n)] + random;
    bits >>= 5n;
  }
  return out + random;
}

// Anchors the monotonic clock to the wall clock once, so successive readings never go backwards.
const EPOCH_OFFSET_NS = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Nanoseconds since the epoch, as protobuf int64 timestamps carry them; monotonic within a process. */
export function nowNanos(): bigint {
  return EPOCH_OFFSET_NS + process.hrtime.bigint();
}
