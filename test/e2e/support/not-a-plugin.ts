/** A module that looks like a plugin but declares another SPI version: the host must refuse it by shape. */
export default {
  apiVersion: 2, channel: 'future', displayName: 'From the future',
  policy: {}, capabilities: {}, parseConfig: (x: unknown) => x, create: () => ({}), module: () => ({}),
};
