/**
 * Dead letters on the storage driver.
 * @module
 */
import { CredentialRedactor, REDACTED } from '../compliance/credential-redactor.js';
import type { Collection, CollectionSpec, StorageDriver } from './driver.js';
import { pageOf, type DeadLetter, type DeadLetterStore, type Page } from './stores.js';

/**
 * A dead letter with the host's default credential headers redacted: the ingress already redacted
 * what the connector declared before storing it; this also covers letters stored before that, or
 * by other code, on their way in and out.
 */
function redacted(letter: DeadLetter): DeadLetter {
  return { ...letter, headers: CredentialRedactor.defaults.headers(letter.headers) };
}

/** {@link DeadLetterStore} over any {@link StorageDriver}. Credential headers are never stored nor returned (see {@link CredentialRedactor}). */
export class DocumentDeadLetterStore implements DeadLetterStore {
  /** The dead letters. */
  static readonly spec: CollectionSpec = {
    name: 'dead_letters',
    fields: { tenantId: 'string', receivedAt: 'date' },
    indexes: [{ fields: ['tenantId', 'receivedAt'] }],
  };

  private readonly docs: Collection<DeadLetter>;

  /** @param driver - the storage driver */
  constructor(driver: StorageDriver) {
    this.docs = driver.collection<DeadLetter>(DocumentDeadLetterStore.spec);
  }

  async add(letter: DeadLetter): Promise<void> {
    // the same letter twice (a retried request) is kept once
    await this.docs.insert(redacted(letter));
  }

  async get(tenantId: string, id: string): Promise<DeadLetter | undefined> {
    const l = await this.docs.get(id);
    return l?.tenantId === tenantId ? redacted(l) : undefined;
  }

  async list(tenantId: string, page?: Page): Promise<DeadLetter[]> {
    const { limit, offset } = pageOf(page);
    return (await this.docs.find({ tenantId }, { sort: [['receivedAt', -1]], limit, offset })).map(redacted);
  }

  async delete(tenantId: string, ids: string[]): Promise<number> {
    return ids.length > 0 ? this.docs.deleteMany({ tenantId, id: { $in: ids } }) : 0;
  }

  async redactStoredCredentials(isCredential: (header: string) => boolean): Promise<number> {
    const page = 500;
    const stale: DeadLetter[] = [];
    for (let offset = 0; ; offset += page) {
      const docs = await this.docs.find({}, { sort: [['receivedAt', 1]], limit: page, offset });
      for (const d of docs) {
        if (!Object.entries(d.headers).some(([name, value]) => value !== REDACTED && isCredential(name))) continue;
        stale.push({ ...d, headers: Object.fromEntries(Object.entries(d.headers).map(([name, value]) => [name, isCredential(name) ? REDACTED : value])) });
      }
      if (docs.length < page) break;
    }
    let rewritten = 0;
    for (const d of stale) if (await this.docs.replaceOne({ id: d.id }, d)) rewritten++;
    return rewritten;
  }

  async deleteBefore(tenantId: string, before: Date): Promise<number> {
    return this.docs.deleteMany({ tenantId, receivedAt: { $lt: before } });
  }
}
