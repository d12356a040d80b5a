// A small Dockerfile reader for the invariant tests: joins continuation lines, drops comments,
// splits instructions into stages, and reads flags and exec-form (JSON) arguments.

export interface Instruction {
  keyword: string;
  /** The arguments after the keyword and its --flags, continuation lines joined. */
  args: string;
  flags: Record<string, string>;
  line: number;
}

export interface Stage {
  /** The FROM image or stage name as written (may hold ${ARG}). */
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM, with their defaults. */
  globalArgs: Record<string, string | undefined>;
  stages: Stage[];
}

function splitFlags(rest: string): { flags: Record<string, string>; args: string } {
  const flags: Record<string, string> = {};
  let args = rest;
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S+))?\s*/.exec(args);
    if (m === null) break;
    flags[m[1]!] = m[2] ?? '';
    args = args.slice(m[0].length);
  }
  return { flags, args };
}

export function parseDockerfile(text: string): Dockerfile {
  const logical: { text: string; line: number }[] = [];
  let current: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const trimmed = raw.trim();
    // Comments (and parser directives) are whole lines; inside a continuation they are skipped too.
    if (trimmed.startsWith('#')) return;
    if (current === undefined) {
      if (trimmed === '') return;
      current = { text: '', line: i + 1 };
    }
    if (trimmed.endsWith('\\')) {
      current.text += `${trimmed.slice(0, -1)} `;
    } else {
      current.text += trimmed;
      logical.push(current);
      current = undefined;
    }
  });
  if (current !== undefined) throw new Error(`line ${current.line}: continuation at end of file`);

  const globalArgs: Record<string, string | undefined> = {};
  const stages: Stage[] = [];
  for (const { text: t, line } of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(t)!;
    const keyword = m[1]!.toUpperCase();
    const { flags, args } = splitFlags(m[2]!);
    if (keyword === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (f === null) throw new Error(`line ${line}: cannot read FROM ${args}`);
      stages.push({ base: f[1]!, name: f[2], instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (stage === undefined) {
      if (keyword !== 'ARG') throw new Error(`line ${line}: ${keyword} before the first FROM`);
      const [name, value] = args.split('=', 2) as [string, string | undefined];
      globalArgs[name] = value;
      continue;
    }
    stage.instructions.push({ keyword, args, flags, line });
  }
  return { globalArgs, stages };
}

/** The JSON array of an exec-form instruction (ENTRYPOINT ["tini", "--"]), or undefined for shell form. */
export function execForm(instruction: Instruction): string[] | undefined {
  if (!instruction.args.startsWith('[')) return undefined;
  return JSON.parse(instruction.args) as string[];
}

/** KEY=value pairs of ENV, LABEL or ARG (quotes removed). */
export function pairs(instruction: Instruction): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of instruction.args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const v = m[2]!;
    out[m[1]!] = v.startsWith('"') ? v.slice(1, -1) : v;
  }
  return out;
}

/** The stages a stage is built on, nearest first (FROM another stage). */
export function lineage(df: Dockerfile, stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | undefined = stage; s !== undefined; s = df.stages.find((c) => c.name === s!.base)) out.push(s);
  return out;
}

/** The shell commands of a stage's RUN instructions, split on && ; and ||. */
export function commands(stage: Stage): string[] {
  return stage.instructions
    .filter((i) => i.keyword === 'RUN')
    .flatMap((i) => i.args.split(/&&|\|\||;/))
    .map((c) => c.trim())
    .filter((c) => c !== '');
}
