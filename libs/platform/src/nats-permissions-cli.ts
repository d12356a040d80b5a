#!/usr/bin/env node
import { NATS_ROLES, Subjects, Topology, natsAuthorizationConfig } from '@meridian/bus';
import { ConfigError, field, loadConfig } from '@meridian/runtime';

/**
 * Prints the nats-server `authorization` block that holds every Meridian role to its own
 * permissions (only risk may publish approved orders): one user per role, `meridian-<role>`,
 * whose password the server reads from its environment variable MERIDIAN_<ROLE>_NATS_PASSWORD.
 * Paste it into the server's configuration (the official NATS chart: `config.merge`) and give
 * each service its user and password (the charts: `<service>.nats.existingSecret`).
 */
const schema = {
  BUS_NAMESPACE: field.string('Subject/stream namespace the permissions are for (empty in production)', ''),
  NATS_USER_PREFIX: field.string('Prefix of the user names', 'meridian-'),
};

function main(): void {
  const c = loadConfig(schema);
  const topology = new Topology(new Subjects(c.BUS_NAMESPACE));
  const users = NATS_ROLES.map((role) => ({ role, user: `${c.NATS_USER_PREFIX}${role}`, password: `$MERIDIAN_${role.toUpperCase().replace(/-/g, '_')}_NATS_PASSWORD` }));
  process.stdout.write(natsAuthorizationConfig(topology, users));
}

try {
  main();
} catch (err) {
  process.stderr.write(`nats-permissions: ${err instanceof ConfigError ? err.message : ((err as Error).stack ?? String(err))}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
}
