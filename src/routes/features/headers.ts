import {InputError} from '../../errors.js';
import {parseHeaderRule} from '../options.js';
import type {HeaderRule} from '../types.js';
import {badStored, isObject, stringOf, type ExportLoss, type ExportTarget, type FrontDoorFeature} from './feature.js';

const ruleText = (r: HeaderRule): string => (r.value === undefined ? `-${r.name}` : `${r.name}: ${r.value}`);

function losses(rules: readonly HeaderRule[], target: ExportTarget): ExportLoss[] {
  if (target === 'ingress')
    return [
      {
        feature: 'header rules',
        detail: "not exported: Ingress cannot change headers; use the gateway export (HTTPRoute header filters) or your controller's annotation",
      },
    ];
  if (target !== 'nginx') return [];
  return rules
    .filter((r) => r.value?.includes('$'))
    .map((r) => ({feature: `header ${r.name}`, detail: 'written as it is, but nginx reads `$` in a value as a variable and has no escape for it'}));
}

/** `--request-header` / `--response-header`: set or remove headers (passes: src/frontdoor/headers.ts). */
function headerRules<K extends 'requestHeaders' | 'responseHeaders'>(key: K, flag: string, description: string, schemaText: string): FrontDoorFeature<K> {
  return {
    key,
    flags: [{name: flag, kind: 'multiple', helpValue: 'H', description}],
    schema: {type: 'array', items: {$ref: '#/definitions/headerRule'}, description: schemaText},
    fromFlags: (flags) => {
      const list = flags[flag] as string[] | undefined;
      return list?.length ? list.map((h) => parseHeaderRule(h, `--${flag}`)) : undefined;
    },
    fromProject: (list) => {
      if (!Array.isArray(list)) throw new InputError(`\`${key}\` must be a list like ["X-Frame-Options: DENY", "-Server"], got ${JSON.stringify(list)}.`);
      return list.map((item) => parseHeaderRule(stringOf(key, item), key));
    },
    check: (list) => {
      if (!Array.isArray(list)) throw badStored(key, list);
      return list.map((r: unknown) => {
        if (!isObject(r) || typeof r.name !== 'string' || (r.value !== undefined && typeof r.value !== 'string')) throw badStored(key, list);
        return parseHeaderRule(r.value === undefined ? `-${r.name}` : `${r.name}: ${r.value}`, `options.${key}`);
      });
    },
    describe: (rules) => rules.map((r) => `${flag} ${ruleText(r)}`),
    exportLosses: losses,
  };
}

export const requestHeaders = headerRules(
  'requestHeaders',
  'request-header',
  "set ('Name: value') or remove ('-Name') a request header; repeatable",
  'Set ("Name: value") or remove ("-Name") request headers before forwarding.',
);

export const responseHeaders = headerRules(
  'responseHeaders',
  'response-header',
  "set ('Name: value') or remove ('-Name') a response header; repeatable",
  'Set ("Name: value") or remove ("-Name") response headers, e.g. ["X-Frame-Options: DENY", "-Server"].',
);
