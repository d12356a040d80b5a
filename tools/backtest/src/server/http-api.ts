// The HTTP JSON API, on the same Fastify instance as /healthz, /readyz and /metrics.
//   POST   /v1/backtests          {config, data, strategy?, seed?, title?}            → 202 {id, status, links}
//   GET    /v1/backtests          ?status=&kind=&limit=                               → {runs: [...]}
//   GET    /v1/backtests/:id      ?result=false to leave the result out               → the run (+ result once done)
//   GET    /v1/backtests/:id/report                                                   → text/html
//   DELETE /v1/backtests/:id      cancels a queued or running run
//   POST   /v1/studies            {…the backtest's fields, study, space, sampler, trials, metric?, direction?, workers?, samplerSeed?}
//   GET    /v1/studies, /v1/studies/:id, /v1/studies/:id/report, DELETE /v1/studies/:id: the same for studies
import type { FastifyInstance, FastifyReply } from 'fastify';
import { InvalidRequestError, RunNotFoundError } from '../errors';
import { integer, oneOf } from '../json-fields';
import { backtestRequest, studyRequest } from './requests';
import type { RequestContext } from './requests';
import { RUN_STATUSES } from './run-store';
import type { PgRunStore, RunInfo, RunKind, RunStatus } from './run-store';
import { titleOf } from './runs';
import type { RunService } from './runs';
import { ServerMetrics } from './server-metrics';

/** Inline events can make a large body; everything else is small. */
const BODY_LIMIT = 64 * 1024 * 1024;

/** A run as the API shows it (times as ISO 8601). */
export function runJson(r: RunInfo, base: string) {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    title: r.title,
    progress: r.progress,
    summary: r.summary ?? null,
    error: r.error,
    attempts: r.attempts,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    links: { self: `${base}/${r.id}`, report: `${base}/${r.id}/report` },
  };
}

export function registerHttpApi(app: FastifyInstance, runs: RunService, store: PgRunStore, metrics: ServerMetrics, ctx: RequestContext): void {
  const count = (operation: string, outcome: string) => metrics.requests.inc({ api: 'http', operation, outcome });

  /** 400 naming the field (counted), 404 for an unknown run; anything else is the server's fault (500). */
  const fail = (reply: FastifyReply, operation: string, err: unknown) => {
    if (err instanceof InvalidRequestError) {
      count(operation, 'bad_request');
      metrics.badRequests.inc({ api: 'http', operation, field: ServerMetrics.fieldLabel(err.field) });
      return reply.code(400).send({ error: 'bad_request', field: err.field, message: err.message });
    }
    if (err instanceof RunNotFoundError) {
      count(operation, 'not_found');
      return reply.code(404).send({ error: 'not_found', message: err.message });
    }
    count(operation, 'error');
    app.log.error(err);
    return reply.code(500).send({ error: 'internal', message: err instanceof Error ? err.message : String(err) });
  };

  // A body that is not JSON never reaches a handler: Fastify's parser refuses it. Count it too.
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const operation = `${req.method} ${req.routeOptions.url ?? req.url}`;
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      count(operation, 'bad_request');
      metrics.badRequests.inc({ api: 'http', operation, field: 'body' });
      return reply.code(err.statusCode).send({ error: 'bad_request', field: 'body', message: err.message });
    }
    count(operation, 'error');
    return reply.code(500).send({ error: 'internal', message: err.message });
  });

  for (const [kind, path] of [
    ['backtest', '/v1/backtests'],
    ['study', '/v1/studies'],
  ] as const) {
    const submitOp = `POST ${path}`;
    app.post(path, { bodyLimit: BODY_LIMIT }, async (req, reply) => {
      try {
        const request = kind === 'backtest' ? await backtestRequest(req.body, ctx) : await studyRequest(req.body, ctx);
        const run = await runs.submit(kind, titleOf(request, kind), request);
        count(submitOp, 'ok');
        return reply.code(202).header('location', `${path}/${run.id}`).send({ id: run.id, status: run.status, links: runJson(run, path).links });
      } catch (err) {
        return fail(reply, submitOp, err);
      }
    });

    app.get(path, async (req, reply) => {
      const op = `GET ${path}`;
      try {
        const q = req.query as Record<string, string | undefined>;
        const limit = q.limit === undefined ? 50 : integer('limit', Number(q.limit), { min: 1, max: 1000 });
        const status = q.status === undefined ? undefined : oneOf<RunStatus>('status', q.status, RUN_STATUSES);
        const only: RunKind | undefined = kind === 'study' ? 'study' : q.kind === undefined ? undefined : oneOf<RunKind>('kind', q.kind, ['backtest', 'study']);
        const list = await store.list({ limit, ...(status ? { status } : {}), ...(only ? { kind: only } : {}) });
        count(op, 'ok');
        return { runs: list.map((r) => runJson(r, r.kind === 'study' ? '/v1/studies' : '/v1/backtests')) };
      } catch (err) {
        return fail(reply, op, err);
      }
    });

    app.get(`${path}/:id`, async (req, reply) => {
      const op = `GET ${path}/:id`;
      try {
        const { id } = req.params as { id: string };
        const run = await store.get(id);
        const withResult = (req.query as Record<string, string | undefined>).result !== 'false';
        const meta = JSON.stringify(runJson(run, path));
        count(op, 'ok');
        if (!withResult || run.status !== 'done') return reply.type('application/json').send(meta);
        // The engine's JSON text, spliced in as it was stored (no parse and re-serialisation of a large result).
        const { result } = await store.payload(id);
        return reply.type('application/json').send(`${meta.slice(0, -1)},"result":${result}}`);
      } catch (err) {
        return fail(reply, op, err);
      }
    });

    app.get(`${path}/:id/report`, async (req, reply) => {
      const op = `GET ${path}/:id/report`;
      try {
        const { id } = req.params as { id: string };
        const run = await store.get(id);
        if (run.status !== 'done') {
          count(op, 'not_ready');
          return reply.code(409).send({ error: 'not_ready', status: run.status, message: `run ${id} is ${run.status}: the report exists once it is done` });
        }
        const html = await runs.report(run);
        count(op, 'ok');
        return reply.type('text/html; charset=utf-8').send(html);
      } catch (err) {
        return fail(reply, op, err);
      }
    });

    app.delete(`${path}/:id`, async (req, reply) => {
      const op = `DELETE ${path}/:id`;
      try {
        const { id } = req.params as { id: string };
        const run = await runs.cancel(id);
        count(op, 'ok');
        return runJson(run, path);
      } catch (err) {
        return fail(reply, op, err);
      }
    });
  }
}
