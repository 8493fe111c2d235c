import type {Strategy} from '../../routes/types.js';
import type {Policy} from '../policy.js';
import {first} from './first.js';
import {leastConn} from './least-conn.js';
import {random} from './random.js';
import {roundRobin} from './round-robin.js';
import {sticky} from './sticky.js';

export function createPolicy(strategy: Strategy): Policy {
  switch (strategy) {
    case 'least-conn':
      return leastConn();
    case 'random':
      return random();
    case 'first':
      return first();
    case 'sticky':
      return sticky();
    default:
      return roundRobin();
  }
}
