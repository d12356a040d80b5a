#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { barsCommand, BARS_HELP, BARS_OPTIONS } from './bars-command';
import { m4Command, M4_HELP, M4_OPTIONS } from './m4-command';
import { Progress } from './progress';

const HELP = `meridian training CLI

${BARS_HELP}
${M4_HELP}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === 'm4') {
    const { values } = parseArgs({ args: rest, options: M4_OPTIONS, strict: true });
    if (values.help) {
      process.stdout.write(M4_HELP);
      return 0;
    }
    const res = await m4Command(values, resolve(__dirname, '../../../../shared/data/m4'), new Progress(process.stderr, values.quiet === true));
    if (res.skipped) {
      process.stdout.write(`skipped: ${res.skipped}\n`);
      return 0;
    }
    const s = res.result!.scores;
    process.stdout.write(
      `M4 Hourly (${res.result!.series} series): sMAPE ${s.model.smape.toFixed(3)}, MASE ${s.model.mase.toFixed(3)}, OWA ${s.model.owa.toFixed(3)}; ` +
        `Naive2 ${s.naive2.smape.toFixed(3)}/${s.naive2.mase.toFixed(3)}, sNaive ${s.sNaive.smape.toFixed(3)}/${s.sNaive.mase.toFixed(3)}; report in ${res.outDir}\n\n${res.summary}\n`,
    );
    return 0;
  }
  if (command === 'bars') {
    const { values } = parseArgs({ args: rest, options: BARS_OPTIONS, strict: true });
    if (values.help) {
      process.stdout.write(BARS_HELP);
      return 0;
    }
    const res = await barsCommand(values, new Progress(process.stderr, values.quiet === true));
    process.stdout.write(`${res.summary}\nreport in ${res.outDir}\n`);
    return 0;
  }
  process.stderr.write(`unknown command ${JSON.stringify(command)}\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`\n${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  },
);
