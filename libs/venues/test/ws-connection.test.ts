import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import { waitFor } from '@meridian/testkit';
import { Backoff, ReconnectingWebSocket } from '../src';

/** A local server that records what each connection received. */
async function server() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const connections: { socket: WebSocket; received: string[] }[] = [];
  wss.on('connection', (socket) => {
    const entry = { socket, received: [] as string[] };
    connections.push(entry);
    socket.on('message', (data) => entry.received.push(data.toString()));
  });
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  return { wss, url, connections, close: () => new Promise<void>((resolve) => wss.close(() => resolve())) };
}

const FAST = { initialMs: 10, maxMs: 40, factor: 2 };

test('re-runs onOpen on every reconnect, so subscriptions come back after the server drops us', async () => {
  const s = await server();
  const messages: string[] = [];
  const closes: (number | undefined)[] = [];
  const ws = new ReconnectingWebSocket(
    s.url,
    {
      onOpen: (c) => c.send('subscribe'),
      onMessage: (text) => messages.push(text),
      onClose: (info) => closes.push(info.delayMs),
    },
    { name: 'test', backoff: FAST },
  );
  ws.start();
  await waitFor('the first subscription', () => s.connections[0]?.received.includes('subscribe') ?? false);
  s.connections[0]!.socket.send('hello');
  await waitFor('the first message', () => messages.includes('hello'));

  s.connections[0]!.socket.terminate();
  await waitFor('the subscription after reconnecting', () => s.connections[1]?.received.includes('subscribe') ?? false);
  expect(ws.reconnects).toBe(1);
  expect(closes).toHaveLength(1);
  expect(closes[0]).toBeGreaterThanOrEqual(0);
  expect(closes[0]).toBeLessThanOrEqual(FAST.initialMs);

  await ws.stop();
  expect(ws.connected).toBe(false);
  expect(closes.at(-1)).toBeUndefined(); // stop() reports no next attempt
  await s.close();
});

test('pings after silence with the configured text, swallows the pong, and drops a link that stays silent', async () => {
  const s = await server();
  let answer = true;
  s.wss.on('connection', (socket) => socket.on('message', (d) => answer && d.toString() === 'ping' && socket.send('pong')));
  const messages: string[] = [];
  const ws = new ReconnectingWebSocket(
    s.url,
    { onOpen: () => undefined, onMessage: (text) => messages.push(text) },
    { name: 'test', backoff: FAST, heartbeat: { idleMs: 50, timeoutMs: 100, ping: 'ping', pong: 'pong' } },
  );
  ws.start();
  await waitFor('two pings', () => (s.connections[0]?.received.filter((m) => m === 'ping').length ?? 0) >= 2);
  expect(messages).toEqual([]); // pongs are heartbeat, not data
  expect(ws.reconnects).toBe(0);

  answer = false; // the server goes quiet: the client must notice and reconnect
  // The server sees the new connection before the client has opened it and counted the reconnect.
  await waitFor('a reconnect after silence', () => s.connections.length >= 2 && ws.reconnects >= 1, 5_000);
  await ws.stop();
  await s.close();
});

test('keeps retrying while the server is down and connects once it is back', async () => {
  const s = await server();
  const port = (s.wss.address() as AddressInfo).port;
  await s.close();
  const opened: number[] = [];
  const ws = new ReconnectingWebSocket(
    `ws://127.0.0.1:${port}`,
    { onOpen: () => opened.push(Date.now()), onMessage: () => undefined },
    { name: 'test', backoff: FAST },
  );
  ws.start();
  await new Promise((r) => setTimeout(r, 150)); // several failed attempts
  expect(opened).toEqual([]);
  const again = new WebSocketServer({ port, host: '127.0.0.1' });
  await once(again, 'listening');
  await waitFor('the connection once the server is back', () => opened.length === 1);
  await ws.stop();
  await new Promise<void>((resolve) => again.close(() => resolve()));
});

test('backoff grows exponentially up to the cap, with full jitter, and resets', () => {
  const top = new Backoff({ initialMs: 100, maxMs: 1_000, factor: 2 }, () => 1);
  expect([top.next(), top.next(), top.next(), top.next(), top.next()]).toEqual([100, 200, 400, 800, 1_000]);
  top.reset();
  expect(top.next()).toBe(100);
  const low = new Backoff({ initialMs: 100, maxMs: 1_000, factor: 2 }, () => 0);
  expect(low.next()).toBe(0);
  expect(() => new Backoff({ initialMs: 0, maxMs: 1, factor: 2 })).toThrow(/backoff.initialMs/);
  expect(() => new Backoff({ initialMs: 10, maxMs: 5, factor: 2 })).toThrow(/backoff.maxMs/);
});
