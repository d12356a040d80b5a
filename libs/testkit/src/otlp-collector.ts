import { createServer } from 'node:http';
import type { Server } from 'node:http';

/** One export request as the collector received it. */
export interface OtlpExport {
  readonly path: string;
  readonly contentType: string;
  /** The body as sent: JSON text, or protobuf bytes read as latin1 (strings in it stay readable). */
  readonly body: string;
}

/**
 * A local OTLP/HTTP receiver for tests: services started with `OTEL_EXPORTER_OTLP_ENDPOINT` at
 * `url` export their spans here, so a test can count them and search everything a trace carried
 * (attribute values, span names, resource) — for a leaked secret, say.
 */
export class OtlpCollector {
  readonly exports: OtlpExport[] = [];
  private readonly server: Server;
  private address = '';

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const contentType = req.headers['content-type'] ?? '';
        const json = contentType.includes('json');
        const raw = Buffer.concat(chunks);
        this.exports.push({ path: req.url ?? '', contentType, body: json ? raw.toString('utf8') : raw.toString('latin1') });
        // An empty ExportTraceServiceResponse: every span accepted.
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : undefined);
      });
    });
  }

  /** The base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT. */
  get url(): string {
    return this.address;
  }

  static async start(): Promise<OtlpCollector> {
    const collector = new OtlpCollector();
    await new Promise<void>((resolve, reject) => {
      collector.server.once('error', reject);
      collector.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = collector.server.address();
    if (address === null || typeof address === 'string') throw new Error('the OTLP collector has no TCP address');
    collector.address = `http://127.0.0.1:${address.port}`;
    return collector;
  }

  /** Names of the spans received in JSON exports, with the service that sent each. */
  spans(): { service: string; name: string }[] {
    const out: { service: string; name: string }[] = [];
    for (const e of this.exports) {
      if (!e.contentType.includes('json')) continue;
      const doc = JSON.parse(e.body) as { resourceSpans?: { resource?: { attributes?: { key: string; value: { stringValue?: string } }[] }; scopeSpans?: { spans?: { name: string }[] }[] }[] };
      for (const rs of doc.resourceSpans ?? []) {
        const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) out.push({ service, name: span.name });
      }
    }
    return out;
  }

  /** Everything received, as one text to search. */
  text(): string {
    return this.exports.map((e) => e.body).join('\n');
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
