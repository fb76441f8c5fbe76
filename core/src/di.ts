/**
 * The container library, re-exported so one copy of inversify is ever loaded: connectors and the
 * host import it from `@switchboard/core/di`.
 * @module
 */
export { Container, ContainerModule, inject, injectable, multiInject, optional } from 'inversify';
export type { BindingIdentifier, ContainerModuleLoadOptions, ResolutionContext, ServiceIdentifier } from 'inversify';
