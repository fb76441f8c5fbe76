/**
 * The compliance feature: GDPR export and erasure of a contact, retention purges, and the audit
 * log of API access.
 *
 * Routes (under `/v1`, API key): `GET /contacts/:id/export` (JSON, or a zip with the contact's
 * files: `?format=zip` or `Accept: application/zip`), `DELETE /contacts/:id`,
 * `GET /audit?from&to&contactId&conversationId&limit&offset`, `GET /retention`,
 * `POST /retention/purge`, `GET /compliance/report?from&to&limit&offset`.
 * @module
 */
import { randomBytes } from 'node:crypto';
import contentDisposition from 'content-disposition';
import type express from 'express';
import { AuditQuerySchema, ComplianceReportQuerySchema, EmptyBodySchema } from '../api/schemas.js';
import { parseBody, parseQuery } from '../api/validation.js';
import type { TenantConfig } from '../config/host-config.js';
import type { HostFeature, HostFeatureFactory } from '../features.js';
import type { AuditLogStore } from '../stores/ledger-stores.js';
import type { HostStores } from '../stores/stores.js';
import type { ConnectorRegistry } from '../plugins/connector-registry.js';
import type { MediaStore } from '../media/media-store.js';
import type { UploadedMediaStore } from '../outbound/uploaded-media-store.js';
import type { Clock, Logger } from '@switchboard/core';
import { auditMiddleware } from './audit-recorder.js';
import { ContactDataHandler, Pseudonymiser } from './contact-data.js';
import { CredentialRedactor } from './credential-redactor.js';
import { ContactPrivacyService } from './contact-privacy.js';
import { ContactExportQuerySchema, exportFormatOf, writeContactExportZip, ZIP_CONTENT_TYPE } from './contact-export-zip.js';
import { buildComplianceReport } from './compliance-report.js';
import { tenantOf } from './http-params.js';
import { eraseUploadedMedia } from '../outbound/uploaded-media-store.js';
import { parseRetentionPolicy, RetentionSweeper, type RetentionPolicy } from './retention.js';

/** Options of {@link createComplianceFeature}. */
export interface ComplianceOptions {
  /**
   * The secret salt of pseudonyms (at least 16 characters; keep it out of the database). Without
   * one a random salt is drawn at each start: the consent proofs are then anonymous, since nobody
   * can link them to an address again.
   */
  pseudonymSalt?: string;
  /**
   * Retention per tenant id. Until the tenant config carries `retention` (then it is read from
   * there), this is where it is set; an entry here wins over the tenant config.
   */
  retention?: Readonly<Record<string, RetentionPolicy>>;
  /** How often retention is swept (real time, default one hour). 0 = only on `POST /v1/retention/purge`. */
  retentionSweepMs?: number;
  /** Handlers of other stores that take part in export and erasure (also read from the container's {@link ContactDataHandler} bindings). */
  handlers?: ContactDataHandler[];
}

/** The compliance feature, with its services (for embedding code and tests). */
export interface ComplianceFeature extends HostFeature {
  readonly privacy: ContactPrivacyService;
  readonly retention: RetentionSweeper;
  readonly audit: AuditLogStore;
  /** Adds a handler of another store to export and erasure. */
  registerHandler(handler: ContactDataHandler): void;
  /** Resolves when every audit write in flight has landed. */
  flush(): Promise<void>;
}

/** The tenant config's own retention, once the lead adds `TenantConfig.retention` (read by shape until then). */
function tenantRetention(tenant: TenantConfig): RetentionPolicy | undefined {
  const value = (tenant as TenantConfig & { retention?: unknown }).retention;
  return value === undefined ? undefined : parseRetentionPolicy(value, `tenants[${tenant.id}].retention`);
}

/** The services the compliance feature works with (what its module resolves from the container). */
export interface ComplianceFeatureServices {
  stores: HostStores;
  /** Tenants by id. */
  tenants: ReadonlyMap<string, TenantConfig>;
  registry: ConnectorRegistry;
  clock: Clock;
  logger: Logger;
  /** The media store, whose files take part in export, erasure and retention. */
  media?: MediaStore;
  /** The platform references of uploaded files, forgotten with an erased contact's files. */
  uploadedMedia: UploadedMediaStore;
  /** The contact data handlers of other stores (read at each export and erasure). */
  handlers: () => readonly ContactDataHandler[];
}

/** Refuses retention options that are not policies (at once: a factory with bad options fails where it is made). */
function checkRetention(options: ComplianceOptions): void {
  for (const [id, policy] of Object.entries(options.retention ?? {})) parseRetentionPolicy(policy, `retention.${id}`);
}

/**
 * Builds the compliance feature factory.
 * @param options - salt, retention, handlers
 * @returns the factory to pass to `createHost(config, { features })`
 */
export function createComplianceFeature(options: ComplianceOptions = {}): HostFeatureFactory {
  checkRetention(options);
  return (ctx): ComplianceFeature => complianceFeatureOf({
    stores: ctx.stores, tenants: ctx.tenants, registry: ctx.registry, clock: ctx.clock, logger: ctx.logger,
    ...(ctx.media?.store ? { media: ctx.media.store } : {}),
    uploadedMedia: ctx.outbound.uploadedMedia,
    handlers: () => ctx.container.getAll<ContactDataHandler>(ContactDataHandler, { optional: true }),
  }, options);
}

/**
 * The compliance feature over its services.
 * @param services - stores, tenants, registry, clock, logger, media store, uploaded media, contact data handlers
 * @param options - salt, retention, handlers
 * @returns the feature
 */
export function complianceFeatureOf(services: ComplianceFeatureServices, options: ComplianceOptions = {}): ComplianceFeature {
  checkRetention(options);
  const log = services.logger;
  const salt = options.pseudonymSalt ?? randomBytes(32).toString('hex');
  if (!options.pseudonymSalt) log.warn({ feature: 'compliance' }, 'no pseudonymSalt: erased contacts\' consent proofs cannot be linked to an address again');
  const audit = services.stores.audit;
  const handlers = [...(options.handlers ?? [])];
  const allHandlers = (): ContactDataHandler[] => {
    const bound = services.handlers();
    const all = [...handlers, ...bound.filter((h) => !handlers.includes(h))];
    const names = new Set<string>();
    for (const h of all) {
      if (names.has(h.name)) throw new Error(`two contact data handlers are named "${h.name}"`);
      names.add(h.name);
    }
    return all;
  };
  const now = (): Date => new Date(services.clock.now());
  const media = services.media;
  const privacy = new ContactPrivacyService({
    stores: { ...services.stores, audit }, pseudonymiser: new Pseudonymiser(salt), handlers: allHandlers, now,
    ...(media ? { media } : {}),
    // a platform reference would let the platform's copy of an erased file be sent again
    forgetUploads: (tenantId, files) => eraseUploadedMedia(services.uploadedMedia, tenantId, files),
    accountsOf: (tenantId, channel) => services.registry.forTenant(tenantId).filter((b) => b.channel === channel).map((b) => b.account),
  });
  const policyOf = (tenant: TenantConfig): RetentionPolicy | undefined => options.retention?.[tenant.id] ?? tenantRetention(tenant);
  const retention = new RetentionSweeper({
    stores: services.stores, now: () => services.clock.now(), logger: log, ...(media ? { media } : {}),
    policies: () => [...services.tenants.values()].map((t) => [t.id, policyOf(t)] as [string, RetentionPolicy | undefined]),
  });
  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>): void => { inFlight.add(p); void p.finally(() => inFlight.delete(p)); };
  const flush = async (): Promise<void> => { while (inFlight.size > 0) await Promise.all([...inFlight]); };

  return {
    name: 'compliance',
    privacy, retention, audit,
    registerHandler(handler) { handlers.push(handler); },
    flush,

    v1Middleware() {
      // every authenticated call is audited, the host's routes and every feature's alike
      return [auditMiddleware({ store: audit, now, logger: log, track })];
    },

    v1Routes(v1: express.Router) {

      v1.get('/contacts/:id/export', async (req, res) => {
        const { format: asked } = parseQuery(ContactExportQuerySchema, req);
        const format = exportFormatOf(asked, (types) => req.accepts(types));
        const id = String(req.params.id);
        const data = await privacy.export(tenantOf(req).id, id);
        res.setHeader('vary', 'Accept');
        if (format === 'json') {
          res.setHeader('content-disposition', `attachment; filename="contact-${encodeURIComponent(id)}.json"`);
          res.json(data);
          return;
        }
        res.status(200);
        res.setHeader('content-type', ZIP_CONTENT_TYPE);
        res.setHeader('content-disposition', contentDisposition(`contact-${id}.zip`));
        res.setHeader('cache-control', 'no-store');
        res.setHeader('x-content-type-options', 'nosniff');
        try {
          const written = await writeContactExportZip(data, media ?? { read: async () => undefined }, res);
          log.info({ feature: 'compliance', tenantId: data.tenantId, ...written }, 'contact export zip written');
        } catch (error) {
          // the answer had begun: the connection is cut (a client never takes a truncated zip for a whole one)
          log.warn({ feature: 'compliance', tenantId: data.tenantId, err: (error as Error)?.message }, 'contact export zip not completed');
        }
      });

      v1.delete('/contacts/:id', async (req, res) => {
        parseBody(EmptyBodySchema, req);
        const { replacements, ...report } = await privacy.erase(tenantOf(req).id, String(req.params.id));
        // the erasure is audited under the pseudonym, like every earlier access
        res.locals.auditReplacements = replacements;
        res.json({ erased: true, ...report });
      });

      v1.get('/audit', async (req, res) => {
        const { from, to, contactId, conversationId, limit, offset } = parseQuery(AuditQuerySchema, req);
        const items = await audit.list(tenantOf(req).id, {
          ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}),
          ...(contactId ? { contactId } : {}), ...(conversationId ? { conversationId } : {}),
        });
        res.json({ items });
      });

      v1.get('/compliance/report', async (req, res) => {
        const { from, to, limit, offset } = parseQuery(ComplianceReportQuerySchema, req);
        const tenant = tenantOf(req);
        res.json(await buildComplianceReport(services.stores, tenant.id, { from, to }, {
          ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}),
          consentScope: tenant.policy?.consentScope ?? 'all-channels',
          ...(tenant.privacyPolicyVersion ? { privacyPolicyVersion: tenant.privacyPolicyVersion } : {}),
        }));
      });

      v1.get('/retention', (req, res) => {
        const policy = policyOf(tenantOf(req));
        res.json({ tenantId: tenantOf(req).id, retention: policy ?? null });
      });

      v1.post('/retention/purge', async (req, res) => {
        parseBody(EmptyBodySchema, req);
        const id = tenantOf(req).id;
        const reports = await retention.sweep([id]);
        res.json(reports.find((r) => r.tenantId === id) ?? { tenantId: id, retention: null });
      });
    },

    start() {
      // dead letters stored before their credential headers were redacted lose them now, by
      // every loaded connector's declaration and the host's defaults (in the background: the
      // API and the export already redact them on the way out)
      const redactor = new CredentialRedactor(services.registry.bindings.map((b) => b.plugin));
      track(services.stores.deadLetters.redactStoredCredentials((name) => redactor.isCredentialHeader(name)).then(
        (n) => { if (n > 0) log.info({ feature: 'compliance', deadLetters: n }, 'credential headers redacted in stored dead letters'); },
        (error: unknown) => log.warn({ feature: 'compliance', err: error }, 'stored dead letters could not be redacted; the next start tries again'),
      ));
      const every = options.retentionSweepMs ?? 3_600_000;
      if (every > 0) retention.start(every);
    },

    async stop() {
      await retention.stop();
      await flush();
    },
  };
}

/** The compliance feature with default options (random pseudonym salt, retention from the tenant config when it has one). */
export const complianceFeature: HostFeatureFactory = createComplianceFeature();
