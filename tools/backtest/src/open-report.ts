import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

function onPath(cmd: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, cmd);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory: look in the next one.
    }
  }
  return undefined;
}

/** The command that opens a file in a browser here: $BROWSER (its first entry), else xdg-open or open. */
export function browserCommand(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  const browser = env.BROWSER?.split(':').find((b) => b.trim() !== '');
  if (browser !== undefined) return browser.includes('/') ? browser : onPath(browser, env);
  return onPath(platform === 'darwin' ? 'open' : 'xdg-open', env);
}

/**
 * Opens the report in a browser when one is at hand; says where the file is either way. Never
 * fails: a machine without a browser (a server, CI) just gets the path.
 */
export function openReport(path: string, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): boolean {
  const cmd = browserCommand(env);
  if (cmd === undefined) {
    log(`no browser found ($BROWSER unset, no xdg-open): open ${path}`);
    return false;
  }
  try {
    const child = spawn(cmd, [path], { detached: true, stdio: 'ignore', env });
    child.on('error', (err) => log(`could not start ${cmd} (${err.message}): open ${path}`));
    child.unref();
    log(`opening ${path} with ${cmd}`);
    return true;
  } catch (err) {
    log(`could not start ${cmd} (${(err as Error).message}): open ${path}`);
    return false;
  }
}
