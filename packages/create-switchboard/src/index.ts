/**
 * `create-switchboard`: `npm create switchboard my-bot` scaffolds an integrator app,
 * `npm create switchboard -- --connector acme-sms` a vendor connector. The generator is also
 * usable as a library.
 * @packageDocumentation
 */
export { main, HELP, EXIT_USAGE, type CliIo } from './cli.js';
export {
  planApp, planConnector, writeScaffold, targetProblem, renderTemplate, targetPath, switchboardRange, ownVersion, TEMPLATE_ROOT,
  type AppOptions, type ConnectorOptions, type ScaffoldFile,
} from './generate.js';
export {
  appNameProblem, connectorNameProblem, connectorNames, RESERVED_CHANNELS, MAX_APP_NAME_LENGTH, MAX_CONNECTOR_NAME_LENGTH,
  type ConnectorNames,
} from './names.js';
export { CHANNELS, DEFAULT_CHANNELS, parseChannels, type ChannelInfo, type ChannelField } from './channels.js';
