/**
 * Readiness is the conjunction of named checks (bus connected, consumers bound, state rebuilt…);
 * liveness only says the event loop answers. Both the HTTP probes and gRPC health read this.
 */
export class Health {
  private readonly checks = new Map<string, () => boolean>();
  private shuttingDown = false;

  /** Registers (or replaces) a readiness condition. */
  addCheck(name: string, check: () => boolean): void {
    this.checks.set(name, check);
  }

  /** A condition that is false until `set(true)` is called. */
  flag(name: string, initial = false): { set(value: boolean): void } {
    let value = initial;
    this.addCheck(name, () => value);
    return {
      set(v: boolean) {
        value = v;
      },
    };
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  report(): { ready: boolean; checks: Record<string, boolean> } {
    const checks: Record<string, boolean> = {};
    let ready = !this.shuttingDown;
    for (const [name, check] of this.checks) {
      let ok = false;
      try {
        ok = check();
      } catch {
        ok = false;
      }
      checks[name] = ok;
      ready &&= ok;
    }
    if (this.shuttingDown) checks['not_shutting_down'] = false;
    return { ready, checks };
  }
}
