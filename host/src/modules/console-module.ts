/**
 * The console area's contribution: the built-in `console` feature (the agent inbox at `/console`,
 * its API, agents and saved replies), with its defaults.
 * @module
 */
import { consoleFeature } from '../console/console-feature.js';
import { HostFeatureContext, hostFeatureModule } from '../features.js';

/** The built-in `console` feature: its API takes the whole {@link HostFeatureContext} view. */
export const consoleFeatureModule = hostFeatureModule('console', (c) => consoleFeature(c.get<HostFeatureContext>(HostFeatureContext)));
