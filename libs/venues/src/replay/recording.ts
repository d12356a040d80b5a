import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { FrameRejectedError } from '../errors';

/**
 * One line of a recording of a venue session.
 * - `connect`: a WebSocket connection was opened to `url`;
 * - `received` / `sent`: a text frame from / to the venue;
 * - `http`: the body of a REST response (an order-book snapshot) from `url`.
 */
export type RecordedEntry =
  | { readonly kind: 'connect'; readonly url: string; readonly tsNs: bigint }
  | { readonly kind: 'received'; readonly text: string; readonly tsNs: bigint; readonly url: string | undefined }
  | { readonly kind: 'sent'; readonly text: string; readonly tsNs: bigint; readonly url: string }
  | { readonly kind: 'http'; readonly url: string; readonly text: string; readonly tsNs: bigint };

/** `1652459224.5300605` (seconds, any number of fraction digits) → exact ns. */
export function secondsToNanos(text: string): bigint {
  const m = /^(\d{1,12})(?:\.(\d{1,18}))?$/.exec(text);
  if (!m) throw new FrameRejectedError('schema', `timestamp ${JSON.stringify(text)} is not seconds since the epoch`);
  const fraction = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  return BigInt(m[1]!) * 1_000_000_000n + BigInt(fraction);
}

const CONNECT = /^(\S+) <-> (\d+(?:\.\d+)?)$/;
const SENT = /^(\S+) <- (\d+(?:\.\d+)?): (.*)$/s;
const HTTP = /^(\S+) -> (\d+(?:\.\d+)?): (.*)$/s;
const RECEIVED = /^(\d+(?:\.\d+)?): (.*)$/s;

/**
 * Parses one line of either recording format:
 * - cryptofeed's raw recordings (`<url> <-> <ts>`, `<ts>: <frame>`, `<url> <- <ts>: <sent frame>`,
 *   `<url> -> <ts>: <http body>`), the format of the public sample data;
 * - JSON lines: the platform's own (`{"ts_ns":"…","dir":"in"|"out"|"http"|"connect","url":"…","frame":"…"}`)
 *   and the `{"recv_ts": <seconds>, "msg": {…}}` form of derived sample files.
 * `url` is the last connection's URL for formats that only say it once.
 */
export function parseRecordingLine(line: string, currentUrl: string | undefined): RecordedEntry | undefined {
  if (line.trim() === '') return undefined;
  if (line.startsWith('{')) return parseJsonLine(line, currentUrl);
  let m = CONNECT.exec(line);
  if (m) return { kind: 'connect', url: m[1]!, tsNs: secondsToNanos(m[2]!) };
  m = SENT.exec(line);
  if (m) return { kind: 'sent', url: m[1]!, tsNs: secondsToNanos(m[2]!), text: m[3]! };
  m = HTTP.exec(line);
  if (m) return { kind: 'http', url: m[1]!, tsNs: secondsToNanos(m[2]!), text: m[3]! };
  m = RECEIVED.exec(line);
  if (m) return { kind: 'received', url: currentUrl, tsNs: secondsToNanos(m[1]!), text: m[2]! };
  throw new FrameRejectedError('schema', `not a recording line: ${line.slice(0, 80)}`);
}

function parseJsonLine(line: string, currentUrl: string | undefined): RecordedEntry {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch (err) {
    throw new FrameRejectedError('schema', `recording line is not JSON: ${(err as Error).message}`);
  }
  if ('msg' in o && 'recv_ts' in o) {
    const ts = typeof o.recv_ts === 'number' ? o.recv_ts.toFixed(7) : String(o.recv_ts);
    return { kind: 'received', url: currentUrl, tsNs: secondsToNanos(ts), text: JSON.stringify(o.msg) };
  }
  const tsText = o.ts_ns;
  if (typeof tsText !== 'string' || !/^\d{1,20}$/.test(tsText)) throw new FrameRejectedError('schema', 'recording line without a ts_ns string');
  const tsNs = BigInt(tsText);
  const url = typeof o.url === 'string' ? o.url : currentUrl;
  const frame = typeof o.frame === 'string' ? o.frame : undefined;
  switch (o.dir) {
    case 'connect':
      if (url === undefined) throw new FrameRejectedError('schema', 'connect line without a url');
      return { kind: 'connect', url, tsNs };
    case 'in':
      if (frame === undefined) throw new FrameRejectedError('schema', 'frame line without a frame');
      return { kind: 'received', url, tsNs, text: frame };
    case 'out':
    case 'http':
      if (frame === undefined || url === undefined) throw new FrameRejectedError('schema', `${String(o.dir)} line without url and frame`);
      return o.dir === 'out' ? { kind: 'sent', url, tsNs, text: frame } : { kind: 'http', url, tsNs, text: frame };
    default:
      throw new FrameRejectedError('schema', `recording line with dir ${JSON.stringify(o.dir)}`);
  }
}

/** The platform's own JSON-lines form of an entry (what a live session records). */
export function formatRecordingLine(e: RecordedEntry): string {
  const dir = e.kind === 'connect' ? 'connect' : e.kind === 'received' ? 'in' : e.kind === 'sent' ? 'out' : 'http';
  const out: Record<string, string> = { ts_ns: e.tsNs.toString(), dir };
  if (e.url !== undefined) out.url = e.url;
  if (e.kind !== 'connect') out.frame = e.text;
  return JSON.stringify(out);
}

/** Reads a recording (plain or `.gz`) entry by entry without loading it whole. Bad lines go to `onBadLine`. */
export async function* readRecording(
  path: string,
  onBadLine: (lineNumber: number, err: FrameRejectedError) => void,
): AsyncGenerator<RecordedEntry> {
  const raw = createReadStream(path);
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let url: string | undefined;
  let n = 0;
  for await (const line of lines) {
    n++;
    let entry: RecordedEntry | undefined;
    try {
      entry = parseRecordingLine(line, url);
    } catch (err) {
      if (!(err instanceof FrameRejectedError)) throw err;
      onBadLine(n, err);
      continue;
    }
    if (entry === undefined) continue;
    if (entry.kind === 'connect') url = entry.url;
    yield entry;
  }
}

/** The venue a recorded URL belongs to, by host. */
export function venueOfUrl(url: string): 'okx' | 'binance' | 'alpaca' | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  if (/(^|\.)(okx|okcoin)\.com$/.test(host)) return 'okx';
  if (/(^|\.)binance\.(com|us)$/.test(host)) return 'binance';
  if (/(^|\.)alpaca\.markets$/.test(host)) return 'alpaca';
  return undefined;
}
