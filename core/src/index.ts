/**
 * `@switchboard/core`: the channel-neutral message, consent and policy model, the connector SPI,
 * typed errors, DI tokens and the webhook helpers connectors share.
 * @packageDocumentation
 */
export * from './model/address.js';
export * from './model/content.js';
export * from './model/delivery-status.js';
export * from './model/events.js';
export * from './model/entities.js';
export * from './errors.js';
export * from './classify-unknown-platform-failure.js';
export * from './config-schema.js';
export * from './spi.js';
export * from './clock.js';
export * from './logger.js';
export * from './tokens.js';
export * from './webhook/verify.js';
export * from './consent/consent-ledger.js';
export * from './policy/channel-policy.js';
export * from './policy/effective-policy.js';
export * from './policy/policy-engine.js';
export * from './policy/explain.js';
export * from './policy/laws.js';
export * from './policy/commerce-categories.js';
export * from './policy/price-category.js';
export * from './policy/recipient.js';
export * from './pricing/price-model.js';
export * from './util/text.js';
export * from './util/json.js';
export * from './util/http.js';
export * from './util/phone.js';
export * from './util/media-download.js';
export * from './fake/fake-platform-server.js';
export * from './fake/form-body.js';
export * from './fake/sample-media.js';
