/**
 * Pick-up orders: the example's own store, beside the host's. It is in memory here; a real stand
 * would put it in the same MongoDB as the host (one more collection, keyed by tenant and id).
 * @module
 */
import { randomUUID } from 'node:crypto';

/** Where an order is. `draft` is the basket while the customer is still choosing. */
export type OrderStatus = 'draft' | 'confirmed' | 'ready' | 'collected' | 'cancelled';

/** One line of an order. */
export interface OrderLine {
  itemId: string;
  name: string;
  quantity: number;
  unitCents: number;
}

/** A pick-up order. */
export interface Order {
  id: string;
  tenantId: string;
  /** Short number called out at the counter, e.g. `A-101`; given on confirmation. */
  number?: string;
  /** The conversation the order was placed in (where "ready for collection" goes). */
  conversationId: string;
  channel: string;
  customerName?: string;
  lines: OrderLine[];
  totalCents: number;
  status: OrderStatus;
  createdAt: Date;
  updatedAt: Date;
  confirmedAt?: Date;
  readyAt?: Date;
}

/** Orders by tenant. */
export interface OrderStore {
  /** The open draft of a conversation, if any. */
  draftOf(tenantId: string, conversationId: string): Promise<Order | undefined>;
  /** Adds a line to the conversation's draft (created on first use); same item adds up. */
  addLine(tenantId: string, conversationId: string, channel: string, customerName: string | undefined, line: OrderLine, now: Date): Promise<Order>;
  /** Confirms the conversation's draft and gives it a number. */
  confirm(tenantId: string, conversationId: string, now: Date): Promise<Order | undefined>;
  /** Cancels the conversation's draft. */
  cancelDraft(tenantId: string, conversationId: string, now: Date): Promise<Order | undefined>;
  get(tenantId: string, id: string): Promise<Order | undefined>;
  list(tenantId: string, filter?: { status?: OrderStatus }): Promise<Order[]>;
  /** Moves an order on; only confirmed → ready → collected. @returns undefined when the move is not allowed */
  advance(tenantId: string, id: string, to: 'ready' | 'collected', now: Date): Promise<Order | undefined>;
}

/** The in-memory {@link OrderStore}. */
export class MemoryOrderStore implements OrderStore {
  private readonly orders = new Map<string, Order>();
  private nextNumber = 101;

  private draft(tenantId: string, conversationId: string): Order | undefined {
    return [...this.orders.values()].find((o) => o.tenantId === tenantId && o.conversationId === conversationId && o.status === 'draft');
  }

  /** @inheritdoc */
  async draftOf(tenantId: string, conversationId: string): Promise<Order | undefined> {
    const d = this.draft(tenantId, conversationId);
    return d ? structuredClone(d) : undefined;
  }

  /** @inheritdoc */
  async addLine(tenantId: string, conversationId: string, channel: string, customerName: string | undefined, line: OrderLine, now: Date): Promise<Order> {
    let order = this.draft(tenantId, conversationId);
    if (!order) {
      order = {
        id: randomUUID(), tenantId, conversationId, channel, lines: [], totalCents: 0, status: 'draft', createdAt: now, updatedAt: now,
        ...(customerName ? { customerName } : {}),
      };
      this.orders.set(order.id, order);
    }
    const same = order.lines.find((l) => l.itemId === line.itemId);
    if (same) same.quantity += line.quantity;
    else order.lines.push({ ...line });
    order.totalCents = order.lines.reduce((n, l) => n + l.quantity * l.unitCents, 0);
    order.updatedAt = now;
    return structuredClone(order);
  }

  /** @inheritdoc */
  async confirm(tenantId: string, conversationId: string, now: Date): Promise<Order | undefined> {
    const order = this.draft(tenantId, conversationId);
    if (!order || order.lines.length === 0) return undefined;
    Object.assign(order, { status: 'confirmed', number: `A-${this.nextNumber++}`, confirmedAt: now, updatedAt: now });
    return structuredClone(order);
  }

  /** @inheritdoc */
  async cancelDraft(tenantId: string, conversationId: string, now: Date): Promise<Order | undefined> {
    const order = this.draft(tenantId, conversationId);
    if (!order) return undefined;
    Object.assign(order, { status: 'cancelled', updatedAt: now });
    return structuredClone(order);
  }

  /** @inheritdoc */
  async get(tenantId: string, id: string): Promise<Order | undefined> {
    const o = this.orders.get(id);
    return o && o.tenantId === tenantId ? structuredClone(o) : undefined;
  }

  /** @inheritdoc */
  async list(tenantId: string, filter: { status?: OrderStatus } = {}): Promise<Order[]> {
    return [...this.orders.values()]
      .filter((o) => o.tenantId === tenantId && (!filter.status || o.status === filter.status))
      .map((o) => structuredClone(o));
  }

  /** @inheritdoc */
  async advance(tenantId: string, id: string, to: 'ready' | 'collected', now: Date): Promise<Order | undefined> {
    const o = this.orders.get(id);
    if (!o || o.tenantId !== tenantId) return undefined;
    const from = to === 'ready' ? 'confirmed' : 'ready';
    if (o.status !== from) return undefined;
    Object.assign(o, { status: to, updatedAt: now, ...(to === 'ready' ? { readyAt: now } : {}) });
    return structuredClone(o);
  }
}

/**
 * An order as one line of text: `2 × Currywurst, 1 × Cola`.
 * @param order - the order
 */
export function orderSummary(order: Pick<Order, 'lines'>): string {
  return order.lines.map((l) => `${l.quantity} × ${l.name}`).join(', ');
}
