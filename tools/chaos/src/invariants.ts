import { Metadata, credentials } from '@grpc/grpc-js';
import { Client } from 'pg';
import { Decimal } from '@meridian/domain';
import { ExecutionKind, RiskServiceClient, sideFromWire } from '@meridian/proto';
import { waitFor } from '@meridian/testkit';
import type { Position } from '@meridian/proto';
import type { PlatformRun, StreamHistory } from './platform-run';

/** One property the platform must keep whatever the fault, and what was found. */
export interface Invariant {
  name: string;
  holds: boolean;
  /** The numbers behind the verdict, or the first offending items. */
  detail: string;
}

export const firstFew = (items: string[]) => (items.length <= 5 ? items.join(', ') : `${items.slice(0, 5).join(', ')} and ${items.length - 5} more`);

export function invariant(name: string, problems: string[], ok: string): Invariant {
  return { name, holds: problems.length === 0, detail: problems.length === 0 ? ok : firstFew(problems) };
}

/** Signed quantity and fees per symbol from the venue's fills on the stream. */
function venueFills(run: PlatformRun): Map<string, { quantity: Decimal; fees: Decimal; count: number }> {
  const out = new Map<string, { quantity: Decimal; fees: Decimal; count: number }>();
  for (const r of run.fills()) {
    const acc = out.get(r.symbol) ?? { quantity: Decimal.ZERO, fees: Decimal.ZERO, count: 0 };
    const q = Decimal.parse(r.fillQuantity);
    out.set(r.symbol, {
      quantity: sideFromWire(r.side) === 'BUY' ? acc.quantity.add(q) : acc.quantity.sub(q),
      fees: acc.fees.add(r.fee),
      count: acc.count + 1,
    });
  }
  return out;
}

/** Risk's positions as its gRPC GetPositions answers them. */
export async function riskPositions(run: PlatformRun): Promise<Position[]> {
  const { grpc } = await run.supervisor.processes.get('risk')!.ports;
  const client = new RiskServiceClient(`127.0.0.1:${grpc}`, credentials.createInsecure());
  try {
    return await new Promise<Position[]>((resolve, reject) =>
      client.getPositions({ symbol: '' }, new Metadata(), { deadline: Date.now() + 5_000 }, (err, res) => (err ? reject(err) : resolve(res.positions))),
    );
  } finally {
    client.close();
  }
}

/**
 * The invariants the streams alone decide: every intent decided once, every approved order
 * answered by the venue exactly once, nothing executed without approval, no fill doubled or
 * beyond its order.
 */
export function streamInvariants(h: StreamHistory): Invariant[] {
  const out: Invariant[] = [];

  // Every intent decided exactly once: approved or rejected, never both, never twice.
  {
    const problems: string[] = [];
    for (const id of h.intents.keys()) {
      if (h.approved.has(id) === h.rejected.has(id)) problems.push(`${id} ${h.approved.has(id) ? 'approved and rejected' : 'never decided'}`);
    }
    if (h.approvedMessages !== h.approved.size) problems.push(`${h.approvedMessages - h.approved.size} duplicate approvals on the stream`);
    out.push(invariant('every intent decided exactly once', problems, `${h.intents.size} intents: ${h.approved.size} approved, ${h.rejected.size} rejected`));
  }

  // Nothing reached the venue without risk, and every approved order reached it exactly once.
  {
    const problems: string[] = [];
    const acks = new Map<string, number>();
    for (const r of h.reports) {
      if (!h.approved.has(r.clientOrderId)) problems.push(`${r.clientOrderId} executed without an approval`);
      if (r.kind === ExecutionKind.EXECUTION_KIND_ACK || r.kind === ExecutionKind.EXECUTION_KIND_REJECT) acks.set(r.clientOrderId, (acks.get(r.clientOrderId) ?? 0) + 1);
    }
    for (const id of h.approved.keys()) {
      const n = acks.get(id) ?? 0;
      if (n !== 1) problems.push(`${id} acknowledged or refused by the venue ${n} times`);
    }
    out.push(invariant('every approved order reached the venue exactly once', problems, `${h.approved.size} approved orders, one venue answer each`));
  }

  // No fill twice, and no order filled beyond its quantity.
  {
    const problems: string[] = [];
    const seen = new Set<string>();
    const filled = new Map<string, Decimal>();
    for (const r of h.reports.filter((x) => x.kind === ExecutionKind.EXECUTION_KIND_FILL)) {
      if (seen.has(r.executionId)) problems.push(`fill ${r.executionId} reported twice`);
      seen.add(r.executionId);
      filled.set(r.clientOrderId, (filled.get(r.clientOrderId) ?? Decimal.ZERO).add(r.fillQuantity));
    }
    for (const [id, q] of filled) {
      const ordered = Decimal.parse(h.approved.get(id)?.intent?.quantity ?? '0');
      if (q.gt(ordered)) problems.push(`${id} filled ${q} of ${ordered}`);
    }
    out.push(invariant('no fill doubled, no order overfilled', problems, `${seen.size} fills, each once`));
  }

  return out;
}

/**
 * The invariants of issue "prove that nothing is lost, doubled or let in", read after the
 * platform has quiesced: from the streams (the observer's history), risk over gRPC and the
 * recorder's PostgreSQL schema.
 */
export async function checkInvariants(run: PlatformRun): Promise<Invariant[]> {
  const h = run.history;
  const out: Invariant[] = streamInvariants(h);
  // The venue's truth, read once: risk's positions and the recorder's rows are checked against it.
  const venue = venueFills(run);

  // Risk's positions equal the venue's fills, exactly. Risk follows the fills, so after an
  // outage it may still be catching up: it gets as long as the recorder does.
  {
    const differences = async (): Promise<string[]> => {
      const problems: string[] = [];
      const positions = await riskPositions(run);
      for (const symbol of new Set([...venue.keys(), ...positions.map((p) => p.symbol)])) {
        const v = venue.get(symbol) ?? { quantity: Decimal.ZERO, fees: Decimal.ZERO, count: 0 };
        const p = positions.find((x) => x.symbol === symbol);
        const q = p ? Decimal.parse(p.quantity) : Decimal.ZERO;
        const fees = p ? Decimal.parse(p.fees) : Decimal.ZERO;
        if (!q.eq(v.quantity) || !fees.eq(v.fees) || (p?.fillCount ?? 0) !== v.count) {
          problems.push(`${symbol}: risk ${q} (fees ${fees}, ${p?.fillCount ?? 0} fills) vs venue ${v.quantity} (fees ${v.fees}, ${v.count} fills)`);
        }
      }
      return problems;
    };
    const started = Date.now();
    let problems = await differences();
    try {
      await waitFor('risk to catch up with the fills', async () => (problems = await differences()).length === 0, 30_000, 250);
    } catch {
      // problems holds the last differences
    }
    const waited = Date.now() - started;
    out.push(invariant("risk's positions equal the venue's fills", problems, `${[...venue].map(([s, v]) => `${s} ${v.quantity}`).join(', ') || 'no fills'}${waited > 500 ? ` (after ${waited} ms)` : ''}`));
  }

  // The recorder's rows equal the stream history.
  {
    const problems: string[] = [];
    const db = new Client({ connectionString: run.env.databaseUrl, options: `-c search_path=${run.env.schema}` });
    await db.connect();
    try {
      const count = async (table: string) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
      const executionIds = new Set(h.reports.map((r) => r.executionId));
      // The recorder catches up from its durable consumers after any outage.
      let rows = { executions: 0, orders: 0, rejections: 0 };
      try {
        await waitFor('the recorder to catch up', async () => {
          rows = { executions: await count('executions'), orders: await count('orders'), rejections: await count('order_rejections') };
          return rows.executions === executionIds.size && rows.orders === h.approved.size && rows.rejections === h.rejected.size;
        }, 30_000, 250);
      } catch {
        problems.push(`rows: ${rows.executions} executions / ${executionIds.size} on the stream, ${rows.orders} orders / ${h.approved.size} approved, ${rows.rejections} rejections / ${h.rejected.size}`);
      }
      const positions = await db.query<{ symbol: string; quantity: string; fees: string; fill_count: number }>('SELECT symbol, quantity::text, fees::text, fill_count FROM positions');
      for (const row of positions.rows) {
        const v = venue.get(row.symbol) ?? { quantity: Decimal.ZERO, fees: Decimal.ZERO, count: 0 };
        if (!Decimal.parse(row.quantity).eq(v.quantity) || !Decimal.parse(row.fees).eq(v.fees) || row.fill_count !== v.count) {
          problems.push(`${row.symbol}: recorded position ${row.quantity} (${row.fill_count} fills) vs venue ${v.quantity} (${v.count} fills)`);
        }
      }
    } finally {
      await db.end();
    }
    out.push(invariant('PostgreSQL rows equal the stream history', problems, `${h.reports.length} execution reports, ${h.approved.size} orders, ${h.rejected.size} rejections recorded`));
  }

  out.push(
    invariant(
      'no service crashed on its own',
      run.unexpectedExits.map((e) => `${e.service} exited with ${e.code}`),
      'only the injected faults',
    ),
  );
  return out;
}
