import {describe, expect, it} from 'vitest';
import {cli, tempHome} from '../../helpers/cli.js';

describe('portico --help', () => {
  it('shows examples of the everyday commands', async () => {
    const t = tempHome();
    try {
      const help = await cli(['--help'], {env: t.env});
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Examples:\n\s+\$ portico run npm run dev\s+# https:\/\/<dir>\.localhost/);
      expect(help.stdout).toMatch(/\$ portico add api\.localhost 8080\s+# to localhost:8080/);
      expect(help.stdout).toMatch(/\$ portico trust\s+# no browser warning/);
    } finally {
      await t.cleanup();
    }
  });
});
