import {describe, expect, it} from 'vitest';
import {baselineNames, parseArgs} from '../../../bench/args.js';

describe('bench --baseline', () => {
  it('runs one checkout as the peer `before`', () => {
    const args = parseArgs(['--only', 'h1', '--baseline', '../old']);
    expect(args.baselines).toEqual(['../old']);
    expect(args.peers.has('before')).toBe(true);
  });

  it('takes several checkouts, repeated or comma-separated, as before, before2, before3 in that order', () => {
    const args = parseArgs(['--baseline', '/a,/b', '--peers', 'portico,caddy', '--baseline', '/c']);
    expect(args.baselines).toEqual(['/a', '/b', '/c']);
    expect(baselineNames(args.baselines)).toEqual(['before', 'before2', 'before3']);
    expect([...args.peers]).toEqual(['portico', 'caddy', 'before', 'before2', 'before3']);
  });

  it("runs the Node floor (Node's HTTPS server and http-proxy-3 alone) as the peer `node` by default and in a smoke run", () => {
    expect(parseArgs([]).peers.has('node')).toBe(true);
    expect([...parseArgs(['--smoke']).peers]).toEqual(['portico', 'portico-w2', 'node', 'direct']);
  });

  it('has no baseline unless asked', () => {
    expect(parseArgs([]).baselines).toEqual([]);
  });
});
