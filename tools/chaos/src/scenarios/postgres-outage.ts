import { Client } from 'pg';
import type { PlatformRun } from '../platform-run';
import { untilWallClock } from '../scenario';
import type { Scenario } from '../scenario';

/** One answer of the recorder's /readyz that differed from the one before. */
interface ReadinessFlip {
  at: number;
  ready: boolean;
  /** /readyz answered (a non-200 from a live process), as opposed to no answer at all. */
  answered: boolean;
}

/**
 * Polls the recorder's /readyz every 100 ms and keeps its changes (an unanswered probe is a change
 * of its own: a dead process is not a readiness report), so the scenario can tell when readiness reported the outage and its end.
 */
async function watchReadiness(platform: PlatformRun): Promise<{ flips: ReadinessFlip[]; stop(): Promise<void> }> {
  const { http } = await platform.supervisor.processes.get('recorder')!.ports;
  const flips: ReadinessFlip[] = [];
  let last = 'ready';
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      let ready = false;
      let answered = true;
      try {
        ready = (await fetch(`http://127.0.0.1:${http}/readyz`, { signal: AbortSignal.timeout(1_000) })).status === 200;
      } catch {
        answered = false;
      }
      const state = ready ? 'ready' : answered ? 'not ready' : 'no answer';
      if (state !== last) flips.push({ at: Date.now(), ready, answered });
      last = state;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    flips,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

interface Rows {
  executions: number;
  orders: number;
  rejections: number;
}

/**
 * PostgreSQL unreachable for the recorder while trading goes on: the recorder's path to the
 * database (a TcpProxy, so the machine's shared server is never touched) is cut after the first
 * fills, every open connection closed; for the first half of the outage new connections are
 * reset (a server restarting), for the second half held unanswered (a partition). Then the path
 * is restored. The recorder must report the outage in its readiness, not crash, and catch up:
 * its rows equal the stream history again, nothing lost or doubled.
 */
export const postgresOutage: Scenario = {
  name: 'postgres-outage',
  summary: "cut the recorder's connection to PostgreSQL under load (reset, then held), restore it, check readiness and catch-up",
  recorderDatabaseProxy: true,
  async run(platform, options, log, { recorderDatabase: proxy }) {
    if (!proxy) throw new Error('postgres-outage needs the database proxy the runner starts');
    const outageMs = Math.round((options.outageSeconds ?? Math.max(5, options.durationSeconds / 3)) * 1_000);
    await platform.waitFor('the first fills', () => platform.fills().length >= 3, 60_000);

    const db = new Client({ connectionString: platform.env.databaseUrl, options: `-c search_path=${platform.env.schema}` });
    await db.connect();
    const readiness = await watchReadiness(platform);
    try {
      const rows = async (): Promise<Rows> => {
        const r = await db.query<{ executions: string; orders: string; rejections: string }>(
          'SELECT (SELECT count(*) FROM executions) AS executions, (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM order_rejections) AS rejections',
        );
        return { executions: Number(r.rows[0]!.executions), orders: Number(r.rows[0]!.orders), rejections: Number(r.rows[0]!.rejections) };
      };
      const streamRows = (): Rows => {
        const h = platform.history;
        return { executions: new Set(h.reports.map((r) => r.executionId)).size, orders: h.approved.size, rejections: h.rejected.size };
      };

      const fillsBefore = platform.fills().length;
      const rowsBefore = await rows();
      const connectionsBefore = proxy.openConnections;
      const cutAt = Date.now();
      proxy.cut('reset');
      log(`cut the recorder's database path (${connectionsBefore} connections closed; new ones reset) with ${fillsBefore} fills and ${rowsBefore.executions} execution rows so far`);
      const notReady = await platform
        .waitFor('the recorder to report the outage', () => readiness.flips.find((f) => !f.ready && f.answered && f.at >= cutAt), Math.max(outageMs, 10_000))
        .then((f) => f.at - cutAt)
        .catch(() => undefined);
      log(notReady === undefined ? 'the recorder never reported the outage in its readiness' : `recorder not ready ${notReady} ms after the cut`);
      const holdAt = cutAt + Math.round(outageMs / 2);
      await untilWallClock(holdAt);
      proxy.cut('hold');
      log(`new connections now held unanswered (a partition); ${proxy.refused} refused so far`);
      await untilWallClock(cutAt + outageMs);
      const rowsDuring = await rows();
      const fillsDuring = platform.fills().length - fillsBefore;
      const refused = proxy.refused;

      proxy.restore();
      const restoredAt = Date.now();
      const wasReadyDuring = readiness.flips.some((f) => f.ready && f.at > cutAt + (notReady ?? 0) && f.at < restoredAt);
      log(`restored after ${restoredAt - cutAt} ms: ${fillsDuring} fills during the outage, ${refused} connections refused or held, execution rows ${rowsBefore.executions} -> ${rowsDuring.executions}`);
      const recorderExit = () => platform.unexpectedExits.find((e) => e.service === 'recorder');
      const readyAgain = await platform
        .waitFor('the recorder ready again', () => recorderExit() ?? readiness.flips.find((f) => f.ready && f.at >= restoredAt), 60_000)
        .then((f) => ('at' in f ? f.at - restoredAt : undefined))
        .catch(() => undefined);
      const exit = recorderExit();
      if (exit) throw new Error(`the recorder exited (code ${exit.code}) during the database outage`);
      // Caught up: every row the stream history holds so far is written (the load goes on, so
      // the target moves; the observer may be a little behind the recorder, hence >=).
      let caughtUp: Rows | undefined;
      let caughtUpMs: number | undefined;
      try {
        await platform.waitFor('the recorder to catch up with the streams', async () => {
          const want = streamRows();
          const have = await rows();
          if (have.executions >= want.executions && have.orders >= want.orders && have.rejections >= want.rejections) caughtUp = have;
          return caughtUp !== undefined;
        }, 120_000);
        caughtUpMs = Date.now() - restoredAt;
      } catch {
        caughtUp = undefined;
      }
      log(`recorder ready again ${readyAgain ?? 'never'} ms after the restore; caught up with the streams after ${caughtUpMs ?? 'never'} ms`);
      await readiness.stop();
      // Findings the invariants do not cover: readiness must have reported the outage and its end.
      if (notReady === undefined) throw new Error('the recorder stayed ready while its database was unreachable');
      if (wasReadyDuring) throw new Error('the recorder reported ready while its database was still unreachable');
      if (readyAgain === undefined) throw new Error('the recorder did not become ready again after the database came back');
      if (caughtUpMs === undefined) throw new Error('the recorder did not catch up with the streams within 120 s of the restore');
      return {
        'outage ms': restoredAt - cutAt,
        'not ready after cut ms': notReady,
        'readiness flips': readiness.flips.map((f) => `${f.ready ? 'ready' : f.answered ? 'not ready' : 'no answer'} at +${f.at - cutAt} ms`).join(', '),
        'connections refused/held': refused,
        'fills during the outage': fillsDuring,
        'execution rows during the outage': rowsDuring.executions - rowsBefore.executions,
        'ready after restore ms': readyAgain,
        'caught up after restore ms': caughtUpMs,
        'rows at catch-up': `${caughtUp!.executions} executions, ${caughtUp!.orders} orders, ${caughtUp!.rejections} rejections`,
        'proxy connections': proxy.connections,
        fills: platform.fills().length,
      };
    } finally {
      await readiness.stop();
      await db.end();
    }
  },
};
