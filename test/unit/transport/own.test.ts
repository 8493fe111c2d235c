import {describe, expect, it} from 'vitest';
import {isOwnAddress} from '../../../src/transport/own.js';

describe('isOwnAddress: a target that is portico itself', () => {
  it('recognises every loopback spelling of portico’s port, over http or https', () => {
    for (const target of [
      '1443',
      'localhost:1443',
      'http://localhost:1443',
      'https://127.0.0.1:1443',
      'http://127.0.0.2:1443',
      'http://[::1]:1443',
      'app.localhost:1443',
      'http://0.0.0.0:1443',
      'LOCALHOST:1443',
    ]) {
      expect(isOwnAddress(target, 1443), target).toBe(true);
    }
  });

  it('leaves other ports and hosts, and unparsable input, alone', () => {
    for (const target of ['1444', 'localhost:5173', 'http://192.168.1.2:1443', 'example.com:1443', 'not a target']) {
      expect(isOwnAddress(target, 1443), target).toBe(false);
    }
  });
});
