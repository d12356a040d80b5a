import { TcpProxy } from '@meridian/testkit';
import { OkxTradingVenue } from '../src';
import { KEY, adapter, d, eventsOf, limit, market, startVenue, until } from './support/okx-venue';

/** Everything written to stdout/stderr or the console while `run` runs. */
async function capturingOutput(run: () => Promise<void>): Promise<string> {
  const out: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const keep = (chunk: unknown): boolean => {
    out.push(String(chunk));
    return true;
  };
  process.stdout.write = keep as typeof process.stdout.write;
  process.stderr.write = keep as typeof process.stderr.write;
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void out.push(args.map(String).join(' '))));
  try {
    await run();
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    for (const s of spies) s.mockRestore();
  }
  return out.join('\n');
}

const show = (value: unknown): string => JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

test('no log line, error, outcome or event of the adapter ever holds the API key, secret or passphrase', async () => {
  const said: string[] = [];
  const output = await capturingOutput(async () => {
    const { sim, server } = await startVenue();
    const proxy = await TcpProxy.start({ targetHost: '127.0.0.1', targetPort: server.port });
    const { venue, recorded } = adapter(server, { requestTimeoutMs: 300, privateWsUrl: proxy.rewriteUrl(server.privateWsUrl) });
    const wrong = [
      new OkxTradingVenue({ credentials: { ...KEY, secretKey: `${KEY.secretKey}x` }, environment: 'demo', restUrl: server.restUrl, privateWsUrl: server.privateWsUrl, onLog: (l, m) => said.push(`${l} ${m}`) }),
      new OkxTradingVenue({ credentials: { ...KEY, passphrase: `${KEY.passphrase}x` }, environment: 'demo', restUrl: server.restUrl, privateWsUrl: server.privateWsUrl, onLog: (l, m) => said.push(`${l} ${m}`) }),
      new OkxTradingVenue({ credentials: { ...KEY, apiKey: `${KEY.apiKey}x` }, environment: 'live', restUrl: server.restUrl, privateWsUrl: server.privateWsUrl, onLog: (l, m) => said.push(`${l} ${m}`) }),
    ];
    const attempt = async (what: () => Promise<unknown>): Promise<void> => {
      try {
        said.push(show(await what()));
      } catch (err) {
        said.push(`${String(err)}\n${(err as Error).stack ?? ''}\n${show(err)}`);
      }
    };
    try {
      await venue.start();
      const resting = limit('BUY', '0.2', '29000');
      await attempt(() => venue.submit(resting));
      await attempt(() => venue.submit(market('BUY', '0.5')));
      server.faults.add({ fault: { kind: 'drop', stage: 'after_apply' }, path: '/api/v5/trade/order', times: 1 });
      await attempt(() => venue.submit(limit('BUY', '0.1', '28000')));
      server.faults.add({ fault: { kind: 'server_error', status: 500 }, times: 2 });
      await attempt(() => venue.balances());
      server.faults.add({ fault: { kind: 'drop', stage: 'before_apply' }, path: '/api/v5/trade/order' });
      await attempt(() => venue.submit(limit('BUY', '0.1', '28000')));
      server.faults.clear();
      server.faults.add({ fault: { kind: 'drop', stage: 'before_apply' } });
      await attempt(() => venue.openOrders());
      server.faults.clear();
      await attempt(() => venue.submit(limit('BUY', '1000', '29000')));
      await attempt(() => venue.submit({ ...market('SELL', '1'), type: 'stop', stopPrice: d('1') }));
      await attempt(() => venue.submit({ ...limit('BUY', '1', '1'), clientOrderId: 'x-'.repeat(20) }));
      proxy.cut('reset');
      await until('disconnected', () => eventsOf(recorded, 'connection').find((e) => !e.connected));
      sim.applyMarketTrade('BTC-USDT', { price: d('29000'), quantity: d('1'), aggressor: 'SELL' });
      proxy.restore();
      await until('reconnected', () => eventsOf(recorded, 'connection').filter((e) => e.connected).length === 2);
      for (const w of wrong) {
        await attempt(() => w.start());
        await attempt(() => w.submit(limit('BUY', '0.1', '29000')));
        await attempt(() => w.balances());
      }
      said.push(...recorded.logs, ...recorded.events.map(show));
    } finally {
      for (const w of wrong) await w.close();
      await venue.close();
      await proxy.stop();
      await server.close();
    }
  });
  const everything = `${output}\n${said.join('\n')}`;
  // The run did produce the text that could have leaked: refusals, retries, auth failures, reconnects.
  expect(everything).toMatch(/60007/);
  expect(everything).toMatch(/50105/);
  expect(everything).toMatch(/50111/);
  expect(everything).toMatch(/in_doubt/);
  expect(everything).toMatch(/recovered 1 missed fill/);
  for (const secret of [KEY.apiKey, KEY.secretKey, KEY.passphrase]) expect(everything).not.toContain(secret);
});
