import type {Tool} from '../tool.js';
import {doctor} from './doctor.js';
import {getExchange} from './exchange.js';
import {setRouteOptions} from './route-options.js';
import {listRoutes, openRoute} from './routes.js';
import {listTraffic} from './traffic.js';
import {addRoute, clearCache, removeRoute, replay, useCopy} from './write.js';

/** Every tool `portico mcp` offers, read-only ones first (README "Coding agents (MCP)" lists them). */
export const TOOLS: readonly Tool[] = [
  listRoutes,
  listTraffic,
  getExchange,
  openRoute,
  doctor,
  addRoute,
  removeRoute,
  setRouteOptions,
  replay,
  clearCache,
  useCopy,
];
