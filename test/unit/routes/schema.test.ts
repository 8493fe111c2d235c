import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {FEATURES} from '../../../src/routes/features/index.js';

const schema = JSON.parse(readFileSync(new URL('../../../schema/portico.schema.json', import.meta.url), 'utf8'));
/** The route object form in schema/portico.schema.json (the third of the route's oneOf). */
const routeObject = schema.properties.routes.additionalProperties.oneOf.find((s: {type?: string}) => s.type === 'object');
const ROUTING_KEYS = ['targets', 'target', 'strategy', 'health', 'stripPrefix'];

describe('the portico.json schema editors use', () => {
  it('describes every per-route option exactly as its feature reads it', () => {
    for (const feature of FEATURES) expect(routeObject.properties[feature.key], feature.key).toEqual(feature.schema);
  });

  it('has no option key that no feature reads', () => {
    const optionKeys = Object.keys(routeObject.properties).filter((k) => !ROUTING_KEYS.includes(k));
    expect(optionKeys.sort()).toEqual(FEATURES.map((f) => f.key).sort());
  });

  it('matches what the features accept for durations: a unit is always written', () => {
    const timeout = new RegExp(routeObject.properties.timeout.pattern);
    expect(['30s', '500ms', '2m'].every((t) => timeout.test(t))).toBe(true);
    expect(timeout.test('30')).toBe(false);
    const delay = new RegExp(routeObject.properties.delay.pattern);
    expect(['300ms', '300ms-1s'].every((t) => delay.test(t))).toBe(true);
    expect(delay.test('300')).toBe(false);
  });
});
