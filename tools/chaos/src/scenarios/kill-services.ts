import { SERVICES } from '@meridian/platform';
import type { ServiceName } from '@meridian/platform';
import { seededRandom } from '@meridian/testkit';
import type { Scenario } from '../scenario';

/**
 * kill -9 of every service in turn, at random moments under load, each restarted at once: the
 * order of the kills and the pauses between them come from the seed. Each service dies at least
 * once; with a longer duration the round starts over.
 */
export const killServices: Scenario = {
  name: 'kill-services',
  summary: 'kill -9 each service in turn at random moments under load, restart it, and check nothing was lost or doubled',
  async run(platform, options, log) {
    const random = seededRandom(options.seed);
    const deadline = Date.now() + options.durationSeconds * 1_000;
    const recovery: Record<string, number[]> = {};
    let kills = 0;
    let round: ServiceName[] = [];
    // Let orders flow before the first fault.
    await platform.waitFor('the first fills', () => platform.fills().length >= 3, 60_000);
    while (kills < SERVICES.length || Date.now() < deadline) {
      if (round.length === 0) round = [...SERVICES].sort(() => random() - 0.5);
      const victim = round.shift()!;
      await new Promise((r) => setTimeout(r, 250 + Math.floor(random() * 1_500)));
      const fillsBefore = platform.fills().length;
      await platform.supervisor.crash(victim);
      const restarted = Date.now();
      await platform.supervisor.restart(victim);
      const ready = await platform.waitReady(victim);
      const ms = Date.now() - restarted;
      (recovery[victim] ??= []).push(ms);
      kills += 1;
      log(`killed ${victim} (-9) with ${fillsBefore} fills so far; ready again after ${ms} ms (readyz ${ready} ms after its ports)`);
    }
    const figures: Record<string, string | number> = { kills, fills: platform.fills().length };
    for (const [service, times] of Object.entries(recovery)) figures[`recovery ms ${service}`] = times.join(' ');
    return figures;
  },
};
