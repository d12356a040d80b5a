import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedDataPath } from '@meridian/testkit';

/**
 * Reads cryptofeed's raw recordings (MANIFEST section 2a): a `.ws.1.0` file whose first line is
 * `<ws url> <-> <connect_ts>` and whose later lines are `<recv_unix_ts>: <raw frame>`, and an
 * `.http.0.0` file of `<url> -> <ts>: <json body>` lines.
 */
export const CRYPTOFEED_DIR = sharedDataPath('crypto_ws', 'cryptofeed_sample_data');

export interface RecordedFrame {
  /** Receive time, seconds since the epoch, as recorded (kept as text to stay exact). */
  readonly ts: number;
  readonly text: string;
}

export interface RecordedResponse {
  readonly url: string;
  readonly ts: number;
  readonly body: string;
  /** The `symbol=` query parameter. */
  readonly symbol: string;
}

export interface Recording {
  readonly wsUrl: string;
  readonly frames: RecordedFrame[];
  readonly responses: RecordedResponse[];
}

export function recordingPaths(name: string): { ws: string; http: string } {
  return { ws: path.join(CRYPTOFEED_DIR, `${name}.ws.1.0`), http: path.join(CRYPTOFEED_DIR, `${name}.http.0.0`) };
}

export function recordingPresent(name: string): boolean {
  const p = recordingPaths(name);
  return fs.existsSync(p.ws) && fs.existsSync(p.http);
}

export function readRecording(name: string): Recording {
  const p = recordingPaths(name);
  const wsLines = fs.readFileSync(p.ws, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = wsLines[0] ?? '';
  const arrow = header.indexOf(' <-> ');
  if (arrow < 0) throw new Error(`${p.ws}: first line is not "<url> <-> <ts>"`);
  const frames = wsLines.slice(1).map((line, i) => {
    const colon = line.indexOf(': ');
    if (colon < 0) throw new Error(`${p.ws} line ${i + 2}: no "<ts>: " prefix`);
    return { ts: Number(line.slice(0, colon)), text: line.slice(colon + 2) };
  });
  const responses = fs
    .readFileSync(p.http, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      const m = /^(\S+) -> ([\d.]+): (.*)$/.exec(line);
      if (!m) throw new Error(`${p.http} line ${i + 1}: not "<url> -> <ts>: <body>"`);
      const url = m[1]!;
      const symbol = new URL(url).searchParams.get('symbol');
      if (!symbol) throw new Error(`${p.http} line ${i + 1}: no symbol= in ${url}`);
      return { url, ts: Number(m[2]), body: m[3]!, symbol };
    });
  return { wsUrl: header.slice(0, arrow), frames, responses };
}
