/**
 * The orders feature: the snack stand's part of the host. It adds `GET /v1/orders`,
 * `GET /v1/orders/:id`, `POST /v1/orders/:id/ready` (sends "ready for collection" to the customer
 * through the policy-checked outbound path) and `POST /v1/orders/:id/collected`, all behind the
 * tenant's API key.
 * @module
 */
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError, type HostFeature, type HostFeatureContext, type HostFeatureFactory, type TenantConfig } from '@switchboard/host';
import { euros } from './menu.js';
import { orderSummary, type OrderStatus, type OrderStore } from './order-store.js';

const STATUSES: readonly OrderStatus[] = ['draft', 'confirmed', 'ready', 'collected', 'cancelled'];

function tenantOf(req: { tenant?: TenantConfig }): TenantConfig {
  if (!req.tenant) throw new UnauthorizedError();
  return req.tenant;
}


/**
 * Builds the feature over an order store.
 * @param orders - the store the bot writes to
 * @returns the factory to pass in `createHost(config, { features: [...] })`
 */
export function ordersFeature(orders: OrderStore): HostFeatureFactory {
  return (ctx: HostFeatureContext): HostFeature => {
    const now = (): Date => new Date(ctx.clock.now());
    return {
      name: 'snack-stand-orders',
      v1Routes(v1) {
        v1.get('/orders', async (req, res) => {
          const status = req.query.status;
          if (status !== undefined && !(typeof status === 'string' && (STATUSES as readonly string[]).includes(status))) {
            throw new ValidationError('status', `must be one of ${STATUSES.join(', ')}`);
          }
          const items = await orders.list(tenantOf(req).id, status ? { status: status as OrderStatus } : {});
          res.json({ items });
        });
        v1.get('/orders/:id', async (req, res) => {
          const order = await orders.get(tenantOf(req).id, String(req.params.id));
          if (!order) throw new NotFoundError('order', String(req.params.id));
          res.json(order);
        });
        v1.post('/orders/:id/ready', async (req, res) => {
          const tenant = tenantOf(req);
          const id = String(req.params.id);
          const current = await orders.get(tenant.id, id);
          if (!current) throw new NotFoundError('order', id);
          const order = await orders.advance(tenant.id, id, 'ready', now());
          if (!order) throw new ConflictError(`order ${current.number ?? id} is ${current.status}; only confirmed orders can be marked ready`, { status: current.status });
          const conversation = await ctx.stores.conversations.get(tenant.id, order.conversationId);
          if (!conversation) throw new NotFoundError('conversation', order.conversationId);
          // the customer asked for this message when they ordered: a service message in their conversation
          const outcome = await ctx.gateway.send({
            tenantId: tenant.id, conversationId: conversation.id,
            content: { type: 'text', text: `Order ${order.number!} is ready for collection: ${orderSummary(order)}. Please pay ${euros(order.totalCents)} at the stand. Enjoy!` },
            purpose: 'service', sender: 'system', via: 'api',
          });
          res.status(outcome.status === 'queued' ? 200 : 422).json({ order, notification: outcome.status === 'queued' ? { status: 'queued', id: outcome.id } : { status: 'denied', reasons: outcome.reasons } });
        });
        v1.post('/orders/:id/collected', async (req, res) => {
          const tenant = tenantOf(req);
          const id = String(req.params.id);
          const current = await orders.get(tenant.id, id);
          if (!current) throw new NotFoundError('order', id);
          const order = await orders.advance(tenant.id, id, 'collected', now());
          if (!order) throw new ConflictError(`order ${current.number ?? id} is ${current.status}; only ready orders can be collected`, { status: current.status });
          res.json(order);
        });
      }
    };
  };
}
