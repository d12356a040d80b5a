import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import type { RecordedEntry } from './recording';

export interface ReplayServerOptions {
  /** The recording's entries, in order (a generator is read lazily as frames are played). */
  readonly entries: () => AsyncIterable<RecordedEntry>;
  /** REST bodies the recording holds, served by path and query. */
  readonly http: readonly Extract<RecordedEntry, { kind: 'http' }>[];
  /** 1 = recorded pace, 10 = ten times faster, 0 = as fast as the client reads. */
  readonly speed: number;
  /** Client messages (login, subscriptions) to wait for before playing a frame recorded after that many sent frames. */
  readonly handshakeMessages: number;
  /** Frames not worth playing (channels the adapter does not subscribe). */
  readonly keep?: (text: string) => boolean;
  /** Every recorded frame has been delivered and the client has read them all. */
  readonly onFinished: (played: number) => void;
}

/** Past this much unsent data the player waits for the client: memory stays bounded at any speed. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

/**
 * Plays a recorded venue session to a venue adapter over a real loopback WebSocket, and serves the
 * recorded REST snapshots over HTTP: the adapter runs exactly its live code (subscriptions,
 * synchronisation, checksums, reconnects), only the venue is a recording.
 *
 * The player answers text `ping` with `pong`, waits for the adapter's handshake where the venue
 * did, paces frames by their receive times divided by `speed`, keeps its place across reconnects,
 * and after the last frame sends a ping: the client's pong comes after it dispatched every frame,
 * so `onFinished` means "all of it was processed".
 */
export class ReplayServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private iterator: AsyncIterator<RecordedEntry> | undefined;
  private pending: Extract<RecordedEntry, { kind: 'received' }> | undefined;
  private sentSeen = 0;
  private played = 0;
  private startWall = 0;
  private firstTsNs: bigint | undefined;
  private closing = false;
  private active: WebSocket | undefined;
  private readonly httpServed = new Map<string, number>();

  private constructor(private readonly options: ReplayServerOptions) {
    this.http = createServer((req, res) => this.serveHttp(req, res));
    this.wss = new WebSocketServer({ server: this.http });
    this.wss.on('connection', (socket) => this.onConnection(socket));
  }

  static async start(options: ReplayServerOptions): Promise<ReplayServer> {
    const server = new ReplayServer(options);
    server.http.listen(0, '127.0.0.1');
    await once(server.http, 'listening');
    return server;
  }

  private get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private serveHttp(req: IncomingMessage, res: ServerResponse): void {
    const asked = new URL(req.url ?? '/', this.httpUrl);
    const body = this.bestHttpMatch(asked);
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `the recording holds no response for ${asked.pathname}${asked.search}` }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  }

  /**
   * The recorded responses for the same path and instrument are served in the order they were
   * recorded, one per request (the last one again once they run out): the adapter's requests meet
   * the snapshots the recorded session got, whatever the replay speed.
   */
  private bestHttpMatch(asked: URL): string | undefined {
    const instrument = (u: URL) => (u.searchParams.get('symbol') ?? u.searchParams.get('instId') ?? '').toUpperCase();
    const key = `${asked.pathname}|${instrument(asked)}`;
    const matches = this.options.http.filter((e) => {
      const recorded = new URL(e.url);
      return recorded.pathname === asked.pathname && instrument(recorded) === instrument(asked);
    });
    if (matches.length === 0) return undefined;
    const served = this.httpServed.get(key) ?? 0;
    this.httpServed.set(key, served + 1);
    return matches[Math.min(served, matches.length - 1)]!.text;
  }

  private onConnection(socket: WebSocket): void {
    this.active?.terminate();
    this.active = socket;
    let clientMessages = 0;
    socket.on('message', (data) => {
      const text = data.toString();
      if (text === 'ping') socket.send('pong');
      else clientMessages++;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.active === socket) this.active = undefined;
    });
    void this.play(socket, () => clientMessages).catch(() => socket.terminate());
  }

  private async play(socket: WebSocket, clientMessages: () => number): Promise<void> {
    this.iterator ??= this.options.entries()[Symbol.asyncIterator]();
    const keep = this.options.keep ?? (() => true);
    while (this.active === socket && !this.closing) {
      const entry = this.pending ?? (await this.nextReceived());
      if (entry === undefined) {
        // A client answers a ping only after dispatching every frame before it, so the pong
        // means the adapter has seen the whole recording; the connection stays open, as a
        // venue's would, so the adapter keeps its state.
        socket.once('pong', () => this.options.onFinished(this.played));
        socket.ping();
        return;
      }
      this.pending = entry;
      const needed = Math.min(this.sentSeen, this.options.handshakeMessages);
      if (clientMessages() < needed) {
        await delay(5);
        continue;
      }
      await this.pace(entry.tsNs);
      if (socket.bufferedAmount > HIGH_WATER_BYTES) {
        await delay(1);
        continue;
      }
      if (this.active !== socket) return;
      this.pending = undefined;
      if (!keep(entry.text)) continue;
      socket.send(entry.text);
      this.played++;
      // Let the event loop breathe when playing flat out.
      if (this.played % 256 === 0) await delay(0);
    }
  }

  private async nextReceived(): Promise<Extract<RecordedEntry, { kind: 'received' }> | undefined> {
    for (;;) {
      const r = await this.iterator!.next();
      if (r.done) return undefined;
      if (r.value.kind === 'sent') this.sentSeen++;
      if (r.value.kind === 'received') return r.value;
    }
  }

  private async pace(tsNs: bigint): Promise<void> {
    if (this.options.speed === 0) return;
    if (this.firstTsNs === undefined) {
      this.firstTsNs = tsNs;
      this.startWall = performance.now();
      return;
    }
    const dueMs = this.startWall + Number(tsNs - this.firstTsNs) / 1e6 / this.options.speed;
    const wait = dueMs - performance.now();
    if (wait > 1) await delay(wait);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
