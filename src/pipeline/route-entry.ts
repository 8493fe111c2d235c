import type {Pool} from '../balance/pool.js';
import type {Route} from '../routes/types.js';
import type {RequestPass, ResponsePass} from './exchange.js';

/** A route ready to serve: its config, URL and the pool of its targets. */
export interface RouteEntry {
  readonly host: string;
  readonly path: string;
  readonly key: string;
  readonly route: Route;
  readonly pool: Pool;
  /** This route's request passes, built from the proxy's features when the route was set (empty for a route without options). */
  readonly requestPasses: readonly RequestPass[];
  /** This route's response passes, in the features' order. */
  readonly responsePasses: readonly ResponsePass[];
}
