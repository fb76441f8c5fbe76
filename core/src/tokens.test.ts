import { describe, expect, it } from 'vitest';
import { Container } from './di.js';
import { Clock, ManualClock } from './clock.js';
import { Logger, silentLogger } from './logger.js';
import { connectorDepsFrom, type OptionalResolver } from './tokens.js';

describe('connectorDepsFrom', () => {
  const resolve = (c: Container): ReturnType<typeof connectorDepsFrom> => {
    const token = Symbol('probe');
    c.bind(token).toDynamicValue((context) => connectorDepsFrom(context as unknown as OptionalResolver));
    return c.get(token);
  };

  it('hands a connector the host\'s clock and logger when the container binds them', () => {
    const c = new Container();
    const clock = new ManualClock(42);
    c.bind(Clock).toConstantValue(clock);
    c.bind(Logger).toConstantValue(silentLogger);
    expect(resolve(c)).toEqual({ clock, logger: silentLogger });
  });

  it('hands nothing in an empty container (the connector keeps its defaults)', () => {
    expect(resolve(new Container())).toEqual({});
  });
});
