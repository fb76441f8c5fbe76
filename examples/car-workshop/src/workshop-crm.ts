/**
 * The workshop's CRM, and the contact-context provider that asks it. `WorkshopCrm` is a small fake
 * of the dealer-management system's customer API (real HTTP on 127.0.0.1, a bearer token): given a
 * phone number it answers the customer, their vehicles and their open jobs. `workshopContextProvider`
 * is what goes in the host's config as `contactContext.provider`: it looks the contact's WhatsApp
 * number up and hands the host a display name, the customer id, the vehicle and each open job with
 * its status and a link — which the console's contact panel shows and the bot reads with
 * `ctx.contactContext()`.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContactContext, ContactContextProvider } from '@switchboard/host';
import { DEMO_ORDERS, type ServiceOrder } from './service-orders.js';

/** A customer as the CRM's API answers. */
export interface CrmCustomer {
  id: string;
  name: string;
  phone: string;
  vehicles: { plate: string; model: string }[];
  jobs: { number: string; plate: string; work: string; status: ServiceOrder['stage']; promised?: string }[];
}

/** The demo's customers: the WhatsApp customers of {@link DEMO_ORDERS}, with names. */
export function demoCustomers(names: Readonly<Record<string, string>>): CrmCustomer[] {
  return DEMO_ORDERS.flatMap((o, i) => o.customers.filter((c) => c.startsWith('whatsapp:')).map((c) => {
    const phone = c.slice('whatsapp:'.length);
    return {
      id: `CU-${7001 + i}`, name: names[phone] ?? `Customer ${phone.slice(-4)}`, phone,
      vehicles: [{ plate: o.plate, model: o.vehicle }],
      jobs: [{ number: o.number, plate: o.plate, work: o.work, status: o.stage, ...(o.expectedReady ? { promised: o.expectedReady } : {}) }],
    };
  }));
}

/** The fake CRM: `GET /api/customers/by-phone/:phone` with `Authorization: Bearer <token>`. */
export class WorkshopCrm {
  private server: Server | undefined;
  private base = '';
  /** Phone numbers asked for, in order (what the host looked up). */
  readonly lookups: string[] = [];

  /**
   * @param customers - the CRM's customers
   * @param token - the bearer token its API wants
   */
  constructor(private readonly customers: readonly CrmCustomer[], readonly token: string) {}

  /** The API's base URL, once started. */
  get url(): string {
    return this.base;
  }

  /** Starts listening on a free port of 127.0.0.1. */
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.headers.authorization !== `Bearer ${this.token}`) { res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}'); return; }
      const m = /^\/api\/customers\/by-phone\/(\+?\d{6,15})$/.exec(req.url ?? '');
      if (req.method !== 'GET' || !m) { res.writeHead(404).end(); return; }
      const phone = m[1]!.replace(/^\+/, '');
      this.lookups.push(phone);
      const customer = this.customers.find((c) => c.phone === phone);
      if (!customer) { res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such customer"}'); return; }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ customer }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stops listening. */
  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
}

/** Where the console links a job to (the CRM's own screens). */
export const CRM_JOB_LINK = 'https://crm.autohaus-kowalski.example/jobs/';

/** What the customer reads for a job's status. */
const STATUS_LABELS: Record<ServiceOrder['stage'], string> = {
  received: 'received', diagnosis: 'in diagnosis', 'waiting-for-parts': 'waiting for parts', repair: 'in repair',
  cleaning: 'being cleaned', ready: 'ready for collection', collected: 'collected',
};

/**
 * The contact-context provider over the CRM: the contact's WhatsApp numbers are looked up one by
 * one until the CRM knows one. Throws when the CRM cannot be asked (the host then reports the
 * context unavailable and goes on).
 * @param options.url - the CRM API's base URL
 * @param options.token - its bearer token
 * @param options.fetch - the fetch to call it with (default the global one)
 * @returns the provider for `contactContext.provider`
 */
export function workshopContextProvider(options: { url: string; token: string; fetch?: typeof fetch }): ContactContextProvider {
  const doFetch = options.fetch ?? globalThis.fetch;
  return async ({ addresses }, { signal }): Promise<ContactContext | undefined> => {
    for (const phone of addresses.filter((a) => a.channel === 'whatsapp').map((a) => a.userId)) {
      const res = await doFetch(`${options.url}/api/customers/by-phone/${encodeURIComponent(phone)}`, {
        headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' }, signal: AbortSignal.any([signal, AbortSignal.timeout(3_000)]),
      });
      if (res.status === 404) continue;
      if (!res.ok) throw new Error(`the CRM answered ${res.status}`);
      const { customer } = await res.json() as { customer: CrmCustomer };
      const open = customer.jobs.filter((j) => j.status !== 'collected');
      const vehicle = customer.vehicles[0];
      return {
        displayName: customer.name,
        customerId: customer.id,
        attributes: { ...(vehicle ? { vehicle: vehicle.model, plate: vehicle.plate } : {}), openJobs: open.length },
        orders: open.map((j) => ({
          id: j.number, title: `${customer.vehicles.find((v) => v.plate === j.plate)?.model ?? j.plate} (${j.plate}): ${j.work}`,
          status: STATUS_LABELS[j.status] + (j.promised ? `, promised ${j.promised}` : ''), url: `${CRM_JOB_LINK}${encodeURIComponent(j.number)}`,
        })),
      };
    }
    return undefined;
  };
}
