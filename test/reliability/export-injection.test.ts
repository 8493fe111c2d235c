import {describe, expect, it} from 'vitest';
import {missingEngines} from '../integration/export/export-engines.js';
import {exportNeverInjectable} from '../integration/export/export-properties.js';

const missing = missingEngines();
if (missing.length > 0) console.log(`skipping the export injection properties: ${missing.join(', ')} not installed (apt-get install caddy nginx-light)`);

describe.skipIf(missing.length > 0)('exports can never be injected (long run)', () => {
  it('turns 400 hostile projects into configs nginx, Caddy and YAML read back exactly, or refuses them by name', () => {
    expect(exportNeverInjectable(400)).toBeGreaterThanOrEqual(60);
  });
});
