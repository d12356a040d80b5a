// RISK_COST_METHOD through the real service against real JetStream: the same fills realize what
// FIFO, LIFO or weighted-average cost say, also when risk rebuilds them from the stream on start.
import { credentials, Metadata } from '@grpc/grpc-js';
import { Bus, provisionTopology } from '@meridian/bus';
import { nowNanos } from '@meridian/domain';
import { ExecutionKind, ExecutionReport, RiskServiceClient, Side } from '@meridian/proto';
import type { Position } from '@meridian/proto';
import { ConfigError, startService } from '@meridian/runtime';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { riskService } from '../src/service';

jest.setTimeout(60_000);

let env: TestEnvironment;
let bus: Bus;

const serviceEnv = (costMethod: string): NodeJS.ProcessEnv => ({
  ...env.serviceEnv('BTC-USDT'),
  RISK_COST_METHOD: costMethod,
});

async function positionsWith(costMethod: string, fills: number): Promise<Position> {
  const risk = await startService(riskService, serviceEnv(costMethod));
  const client = new RiskServiceClient(`127.0.0.1:${risk.grpcPort}`, credentials.createInsecure());
  try {
    return await waitFor(`${fills} fills in risk's position`, async () => {
      const { positions } = await new Promise<{ positions: Position[] }>((resolve, reject) =>
        client.getPositions({ symbol: 'BTC-USDT' }, new Metadata(), { deadline: Date.now() + 5_000 }, (err, res) => (err ? reject(err) : resolve(res))),
      );
      const p = positions.find((x) => x.symbol === 'BTC-USDT');
      return p && p.fillCount === fills ? p : undefined;
    });
  } finally {
    client.close();
    await risk.shutdown();
  }
}

async function fill(n: number, side: 'BUY' | 'SELL', quantity: string, price: string): Promise<void> {
  const report = ExecutionReport.fromPartial({
    kind: ExecutionKind.EXECUTION_KIND_FILL,
    venue: 'paper',
    symbol: 'BTC-USDT',
    clientOrderId: `cost-${n}`,
    executionId: `cost-${n}-fill`,
    side: side === 'BUY' ? Side.SIDE_BUY : Side.SIDE_SELL,
    fillQuantity: quantity,
    fillPrice: price,
    fee: '0',
    tsNs: nowNanos(),
  });
  await bus.publish(bus.subjects.execution('paper', 'BTC-USDT', 'fill'), ExecutionReport, report, { msgId: report.executionId });
}

beforeAll(async () => {
  env = await createTestEnvironment('riskcost');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'risk-cost-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [{ symbols: ['BTC-USDT'], venues: ['paper'] }]);
  // Buy 1 @ 100, buy 1 @ 110, sell 1 @ 120.
  await fill(1, 'BUY', '1', '100');
  await fill(2, 'BUY', '1', '110');
  await fill(3, 'SELL', '1', '120');
});

afterAll(async () => {
  await bus?.close();
  await env?.cleanup();
});

test.each([
  ['FIFO', '20', '110'],
  ['LIFO', '10', '100'],
  ['WAC', '15', '105'],
])('with RISK_COST_METHOD=%s the rebuilt position realizes %s and keeps 1 at %s', async (method, realized, average) => {
  const p = await positionsWith(method, 3);
  expect(p.quantity).toBe('1');
  expect(Number(p.realizedPnl)).toBe(Number(realized));
  expect(Number(p.averagePrice)).toBe(Number(average));
});

test('an unknown cost method stops the service, naming the key', async () => {
  await expect(startService(riskService, serviceEnv('HIFO'))).rejects.toThrow(ConfigError);
  await expect(startService(riskService, serviceEnv('HIFO'))).rejects.toThrow(/RISK_COST_METHOD: expected one of WAC, FIFO, LIFO/);
});
