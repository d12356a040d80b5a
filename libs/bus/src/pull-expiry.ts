/**
 * The lifetime of one consumer's pull requests: between 75 % and 100 % of the configured value,
 * picked from the consumer's name.
 *
 * Why: a service binds all its consumers at start-up, so with one lifetime their pull requests
 * expire and their idle heartbeats arrive together, forever: with a thousand per-symbol consumers
 * a burst of a thousand messages every heartbeat, for the client and for the server. Periods that
 * differ per consumer drift apart within a cycle or two. The total stays the same: risk's
 * CheckOrder tail (`npm run bench -w services/risk`) measured alike with and without the spread;
 * what removes that cost is less traffic (NATS_PULL_EXPIRES_MS). Jittering only downwards keeps
 * `pullExpiresMs` the bound on how long a node loss can stall a consumer. Derived from the name,
 * not random, so a consumer keeps its period across restarts and a run can be reproduced.
 */
export function pullExpiresFor(consumerName: string, pullExpiresMs: number): number {
  return Math.round(pullExpiresMs * (0.75 + 0.25 * unitHash(consumerName)));
}

/** FNV-1a of the name, mapped to [0, 1). */
function unitHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 0x1_0000_0000;
}
