import { existsSync } from 'node:fs';
import { request } from 'node:http';

/**
 * True when a Docker engine answers on its socket (or DOCKER_HOST), so testcontainers can
 * start servers; false quickly otherwise, so the machine's own servers are used.
 */
export async function dockerReachable(timeoutMs = 1_000): Promise<boolean> {
  if (process.env.TESTKIT_USE_LOCAL === '1') return false;
  const host = process.env.DOCKER_HOST;
  let options: { socketPath?: string; host?: string; port?: number };
  if (host?.startsWith('tcp://')) {
    const u = new URL(host.replace(/^tcp:/, 'http:'));
    options = { host: u.hostname, port: Number(u.port || 2375) };
  } else {
    const socketPath = host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
    if (!existsSync(socketPath)) return false;
    options = { socketPath };
  }
  return new Promise((resolve) => {
    const req = request({ ...options, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}
