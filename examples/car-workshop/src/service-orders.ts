/**
 * The workshop's service orders: a small in-memory table the bot answers from. A real workshop
 * would read its dealer-management system here; the bot only needs "find the order of this
 * customer" and "find the order by number or plate".
 * @module
 */

/** Where a vehicle is in the workshop. */
export type ServiceStage = 'received' | 'diagnosis' | 'waiting-for-parts' | 'repair' | 'cleaning' | 'ready' | 'collected';

/** One service order. */
export interface ServiceOrder {
  /** Order number as printed on the job card, e.g. `SO-1042`. */
  number: string;
  /** Make, model and licence plate. */
  vehicle: string;
  plate: string;
  stage: ServiceStage;
  /** What was booked. */
  work: string;
  /** Estimate in euro cents. */
  estimateCents: number;
  /** Expected ready time, as the service advisor wrote it. */
  expectedReady?: string;
  /** The customer's chat addresses, as `channel:userId`. */
  customers: string[];
}

/** Looks up service orders. */
export class ServiceOrderTable {
  private readonly orders: ServiceOrder[];

  /** @param orders - the orders (copied) */
  constructor(orders: readonly ServiceOrder[]) {
    this.orders = orders.map((o) => ({ ...o, customers: [...o.customers] }));
  }

  /**
   * The open order of a chat address (the newest, when a customer has several).
   * @param channel - e.g. `whatsapp`
   * @param userId - the customer's id on that channel
   */
  byCustomer(channel: string, userId: string): ServiceOrder | undefined {
    const key = `${channel}:${userId}`;
    return this.orders.filter((o) => o.customers.includes(key) && o.stage !== 'collected').at(-1);
  }

  /**
   * The order an order number (`SO-1042`, `so 1042`) or a licence plate in a text names.
   * @param text - what the customer wrote
   */
  mentionedIn(text: string): ServiceOrder | undefined {
    const number = /\bSO[\s-]?(\d{3,6})\b/i.exec(text)?.[1];
    if (number) return this.orders.find((o) => o.number === `SO-${number}`);
    const squashed = text.toUpperCase().replace(/[\s-]/g, '');
    return this.orders.find((o) => squashed.includes(o.plate.replace(/[\s-]/g, '')));
  }

  /** Every order (copies). */
  all(): ServiceOrder[] {
    return this.orders.map((o) => ({ ...o, customers: [...o.customers] }));
  }
}

/**
 * What the customer is told for each stage. The wording is the service advisors', so the bot
 * says what a person at the counter would.
 * @param order - the order
 * @returns one or two sentences
 */
export function stageMessage(order: ServiceOrder): string {
  const when = order.expectedReady ? ` We expect it to be ready ${order.expectedReady}.` : '';
  switch (order.stage) {
    case 'received': return `Your ${order.vehicle} has arrived and is waiting for its ${order.work}.${when}`;
    case 'diagnosis': return `Our technicians are inspecting your ${order.vehicle} now; your service advisor will call you with a quote before any extra work.${when}`;
    case 'waiting-for-parts': return `We are waiting for parts for your ${order.vehicle}.${when}`;
    case 'repair': return `Your ${order.vehicle} is in the workshop: ${order.work} is under way.${when}`;
    case 'cleaning': return 'Your vehicle is being cleaned and will be ready for collection shortly.';
    case 'ready': return `Your ${order.vehicle} is ready for collection. We are open until 18:00 today.`;
    case 'collected': return `Your ${order.vehicle} was collected. Thank you for choosing us!`;
  }
}

/**
 * Formats an amount in euro cents.
 * @param cents - amount
 */
export function euros(cents: number): string {
  return `€${(cents / 100).toFixed(2)}`;
}

/** The demo's service orders. Customers are identified by their WhatsApp number or Messenger PSID. */
export const DEMO_ORDERS: readonly ServiceOrder[] = [
  { number: 'SO-1042', vehicle: 'VW Golf', plate: 'B-KW 2481', stage: 'cleaning', work: 'annual service', estimateCents: 34_000, customers: ['whatsapp:4915112340001'] },
  { number: 'SO-1043', vehicle: 'Ford Focus', plate: 'B-AF 903', stage: 'repair', work: 'brake pads and discs', estimateCents: 52_500, expectedReady: 'today at 16:00', customers: ['messenger:7101000000000002'] },
  { number: 'SO-1044', vehicle: 'Toyota Yaris', plate: 'P-TY 55', stage: 'ready', work: 'tyre change', estimateCents: 8_000, customers: ['whatsapp:4915112340003'] },
  { number: 'SO-1045', vehicle: 'BMW 320d', plate: 'B-MW 320', stage: 'waiting-for-parts', work: 'clutch replacement', estimateCents: 131_000, expectedReady: 'on Thursday', customers: ['messenger:7101000000000004'] },
  { number: 'SO-1046', vehicle: 'Skoda Octavia', plate: 'B-SO 7788', stage: 'diagnosis', work: 'engine warning light check', estimateCents: 9_900, customers: ['whatsapp:4915112340005'] },
  { number: 'SO-1047', vehicle: 'Renault Clio', plate: 'B-RC 12', stage: 'received', work: 'MOT inspection', estimateCents: 12_900, expectedReady: 'tomorrow morning', customers: ['whatsapp:4915112340006'] },
  { number: 'SO-1048', vehicle: 'Opel Corsa', plate: 'B-OC 4711', stage: 'cleaning', work: 'air-conditioning service', estimateCents: 14_900, customers: ['messenger:7101000000000007'] },
  { number: 'SO-1049', vehicle: 'Audi A4', plate: 'B-AU 4040', stage: 'repair', work: 'timing belt', estimateCents: 89_000, expectedReady: 'tomorrow at 12:00', customers: ['whatsapp:4915112340008'] },
  { number: 'SO-1050', vehicle: 'Fiat 500', plate: 'B-FI 500', stage: 'ready', work: 'annual service', estimateCents: 29_000, customers: ['messenger:7101000000000009'] },
  { number: 'SO-1051', vehicle: 'Mercedes C 200', plate: 'B-MC 200', stage: 'repair', work: 'exhaust repair', estimateCents: 41_000, expectedReady: 'today at 17:30', customers: ['whatsapp:4915112340010'] },
  { number: 'SO-1052', vehicle: 'Kia Ceed', plate: 'B-KC 6060', stage: 'waiting-for-parts', work: 'windscreen replacement', estimateCents: 61_000, expectedReady: 'on Friday', customers: ['messenger:7101000000000011'] },
  { number: 'SO-1053', vehicle: 'Hyundai i30', plate: 'B-HI 30', stage: 'cleaning', work: 'annual service', estimateCents: 31_000, customers: ['whatsapp:4915112340012'] },
];
