#!/usr/bin/env node
// meridian-backtest (npm run backtest -- <command>): run, optimise, walk-forward, serve.
// Exit codes: 0 done, 2 a request that cannot run (the message names the option or key), 1 a
// failure while running.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { JOB_OPTIONS } from './cli-request';
import { InvalidRequestError } from './errors';
import { StatusLine } from './progress';
import { runCommand, RUN_HELP, RUN_OPTIONS } from './run-command';
import { serveCommand, SERVE_HELP, SERVE_OPTIONS } from './server/serve';
import { OPTIMISE_HELP, optimiseCommand, SEARCH_OPTIONS, WALK_FORWARD_HELP, walkForwardCommand } from './study-commands';

const HELP = `meridian backtesting: npm run backtest -- <command> [options]   (--help after a command for its options)

${RUN_HELP}
${OPTIMISE_HELP}
${WALK_FORWARD_HELP}
${SERVE_HELP}`;

const out = (s: string) => {
  process.stdout.write(s);
};

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    // parseArgs names the option in its message ("Unknown option '--sead'").
    throw new InvalidRequestError('arguments', (err as Error).message, { cause: err });
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    out(HELP);
    return command === undefined ? 2 : 0;
  }
  switch (command) {
    case 'run': {
      const { values, positionals } = parse(rest, { ...JOB_OPTIONS, ...RUN_OPTIONS });
      if (values.help) return (out(RUN_HELP), 0);
      await runCommand(values, positionals, out, new StatusLine(process.stderr, values.quiet === true));
      return 0;
    }
    case 'optimise':
    case 'optimize': {
      const { values, positionals } = parse(rest, { ...JOB_OPTIONS, ...SEARCH_OPTIONS });
      if (values.help) return (out(OPTIMISE_HELP), 0);
      const res = await optimiseCommand(values, positionals, out, new StatusLine(process.stderr, values.quiet === true));
      return res.study.best === undefined ? 1 : 0;
    }
    case 'walk-forward': {
      const { values, positionals } = parse(rest, { ...JOB_OPTIONS, ...SEARCH_OPTIONS });
      if (values.help) return (out(WALK_FORWARD_HELP), 0);
      await walkForwardCommand(values, positionals, out, new StatusLine(process.stderr, values.quiet === true));
      return 0;
    }
    case 'serve': {
      const { values, positionals } = parse(rest, SERVE_OPTIONS);
      if (values.help) return (out(SERVE_HELP), 0);
      if (positionals.length > 0) throw new InvalidRequestError('arguments', `serve takes no file arguments, got ${positionals.join(' ')}`);
      return serveCommand(values);
    }
    default:
      process.stderr.write(`unknown command ${JSON.stringify(command)}: run, optimise, walk-forward or serve\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof InvalidRequestError) {
      process.stderr.write(`\nerror: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`\n${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  },
);
