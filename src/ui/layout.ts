/** What decides how the dashboard's rows are shared. */
export interface LayoutInput {
  columns: number;
  rows: number;
  /** The user's choice with `t`; undefined: fold only when needed. */
  chosen: boolean | undefined;
  /** Lines the routes panel takes unfolded (two a route, three with front-door options). */
  routes: number;
  /** Health lines under the panel. */
  health: number;
  message?: string;
  headerError: boolean;
  /** The header's LAN line, while portico listens beyond loopback. */
  lan?: boolean;
  filterError: boolean;
}

/** Rows the log gets, folding the routes panel when unfolded it would leave fewer than 10 (80x24 stays usable). */
export function layoutRows(input: LayoutInput): {logHeight: number; routesFolded: boolean} {
  const message = input.message ? Math.ceil(input.message.length / Math.max(20, input.columns)) : 0;
  // Header (and its LAN line), the margins around the routes, health lines, the message, the footer (and a filter error), and one spare.
  const fixed = 1 + (input.lan ? 1 : 0) + (input.headerError ? 1 : 0) + 2 + input.health + message + 1 + (input.filterError ? 1 : 0) + 1;
  const expanded = Math.max(1, input.routes);
  const routesFolded = input.chosen ?? input.rows - fixed - expanded < 10;
  return {routesFolded, logHeight: Math.max(3, input.rows - fixed - (routesFolded ? 1 : expanded))};
}
