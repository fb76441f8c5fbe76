/**
 * `switchboard keys create|list|revoke|rotate`: the operator manages a tenant's API keys in the
 * configured database (hosts may keep running: they read the keys on every request). Only the
 * CLI may grant any scope, `messages:send-as-agent` included: it acts for whoever runs the host.
 * @module
 */
import { isSwitchboardError, systemClock } from '@switchboard/core';
import type { HostConfig } from '../config/host-config.js';
import { loadConfigFile } from '../config/load-config.js';
import { openStorageDriver } from '../stores/open-driver.js';
import { DocumentApiKeyStore, type PublicApiKey } from './api-key-store.js';
import { ApiKeyService, type ConfigApiKeyView } from './api-keys.js';
import { API_SCOPES } from './api-scopes.js';

/** Usage of the `keys` command. */
export const KEYS_USAGE = `switchboard keys <action> --tenant <id> [--config <file>]

  create --scopes <scope,scope…> [--name <what it is for>]
                      make a key; it is printed once and stored only as a digest
  list [--json]       the tenant's keys: id, name, scopes, created, revoked (never the key)
  revoke <key id>     the key stops working at once, in every host on this database
  rotate <key id>     a new key with the same scopes and name; the old one stops at once

  scopes: ${API_SCOPES.join(', ')}`;

type Out = (line: string) => void;

function row(k: PublicApiKey | ConfigApiKeyView): string {
  const state = 'source' in k ? 'config' : k.revokedAt ? `revoked ${k.revokedAt.toISOString()}${k.replacedBy ? ` (by ${k.replacedBy})` : ''}` : 'active';
  const created = 'createdAt' in k ? k.createdAt.toISOString() : '-';
  return `  ${k.id.padEnd(20)} ${state.padEnd(10)} ${created.padEnd(24)} ${(k.name ?? '-').padEnd(16)} ${k.scopes.join(',')}`;
}

/**
 * Runs `switchboard keys …`.
 * @param positional - the action and its argument
 * @param flags - `--tenant`, `--scopes`, `--name`, `--config`, `--json`
 * @param out - where to print
 * @param loadConfig - reads the config (default: the file named by `--config`, or found in the working directory)
 * @returns the exit code: 0 done, 1 refused (printed as `CODE: message`), 2 usage
 */
export async function runKeysCommand(
  positional: readonly string[], flags: Readonly<Record<string, string | true>>, out: Out,
  loadConfig: (file: string | undefined) => Promise<HostConfig> = loadConfigFile,
): Promise<number> {
  const action = positional[0];
  const text = (name: string): string | undefined => (typeof flags[name] === 'string' ? flags[name] : undefined);
  const tenantId = text('tenant');
  if (!action || !['create', 'list', 'revoke', 'rotate'].includes(action) || !tenantId) { out(KEYS_USAGE); return 2; }
  const id = positional[1];
  if ((action === 'revoke' || action === 'rotate') && !id) { out(`usage: switchboard keys ${action} <key id> --tenant <id>`); return 2; }
  const scopes = text('scopes')?.split(',').map((s) => s.trim()).filter(Boolean);
  if (action === 'create' && !scopes) { out(`usage: switchboard keys create --tenant <id> --scopes <scope,scope…> [--name <name>]\n  scopes: ${API_SCOPES.join(', ')}`); return 2; }

  const config = await loadConfig(text('config'));
  if (config.store.kind === 'memory') { out('the config keeps its data in memory: keys made here would be lost at once (use sqlite or mongodb)'); return 2; }
  const driver = await openStorageDriver(config.store);
  try {
    const keys = new ApiKeyService({ tenants: config.tenants, store: new DocumentApiKeyStore(driver), now: () => systemClock.now() });
    switch (action) {
      case 'create': {
        const name = text('name');
        const made = await keys.create(tenantId, { scopes: scopes!, ...(name ? { name } : {}) }, { kind: 'cli' });
        out(`API key ${made.record.id} for tenant ${tenantId} (${made.record.scopes.join(', ')}):`);
        out(`  ${made.key}`);
        out('It is shown this once: only its digest is stored.');
        return 0;
      }
      case 'list': {
        const { config: fromConfig, stored } = await keys.list(tenantId);
        if (flags.json === true) { out(JSON.stringify([...fromConfig, ...stored.map((k) => ({ ...k, source: 'store' }))])); return 0; }
        out(`  ${'id'.padEnd(20)} ${'state'.padEnd(10)} ${'created'.padEnd(24)} ${'name'.padEnd(16)} scopes`);
        for (const k of [...fromConfig, ...stored]) out(row(k));
        return 0;
      }
      case 'revoke': {
        const revoked = await keys.revoke(tenantId, id!);
        out(`API key ${revoked.id} revoked at ${revoked.revokedAt!.toISOString()}`);
        return 0;
      }
      default: {
        const rotated = await keys.rotate(tenantId, id!, { kind: 'cli' });
        out(`API key ${rotated.revoked.id} revoked; its replacement ${rotated.record.id} (${rotated.record.scopes.join(', ')}):`);
        out(`  ${rotated.key}`);
        out('It is shown this once: only its digest is stored.');
        return 0;
      }
    }
  } catch (error) {
    // an expected refusal (no such tenant or key, already revoked, a config key) is an answer, not a crash
    if (!isSwitchboardError(error)) throw error;
    out(`${error.code}: ${error.message}`);
    return 1;
  } finally {
    await driver.close();
  }
}
