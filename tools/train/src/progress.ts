/**
 * A progress bar on stderr: redrawn in place on a terminal, one line per epoch (and none per
 * batch) when stderr is a file or a pipe, so logs stay readable.
 */
export class Progress {
  private label = '';
  private total = 0;
  private started = 0;
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream | { isTTY?: boolean; columns?: number; write(s: string): boolean } = process.stderr,
    private readonly quiet = false,
  ) {}

  get tty(): boolean {
    return this.stream.isTTY === true;
  }

  start(label: string, total: number): void {
    this.label = label;
    this.total = total;
    this.started = performance.now();
    this.lastDraw = 0;
  }

  /** Position `done` of `total`, with a short status (loss, epoch). Drawn at most every 100 ms. */
  update(done: number, status = ''): void {
    if (this.quiet || !this.tty) return;
    const now = performance.now();
    if (done < this.total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - 60));
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 0;
    const filled = Math.round(frac * width);
    const elapsed = (now - this.started) / 1000;
    const eta = frac > 0 ? (elapsed / frac) * (1 - frac) : 0;
    const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${this.total} ${status} eta ${formatSeconds(eta)}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns ?? 200) - 1)}`);
    this.drawn = true;
  }

  /** A line that stays (an epoch's summary), printed above the bar. */
  log(message: string): void {
    if (this.quiet) return;
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
    this.stream.write(`${message}\n`);
  }

  end(): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}
