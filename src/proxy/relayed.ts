/** The relay's mark on a request (relay.ts): its header, and what the primary learns of the client. */
export const RELAY_HEADER = 'x-portico-relay';

/** What the primary learns of a relayed request's client (set on the request it receives). */
export interface Relayed {
  client: string;
  protocol: 'h1' | 'h2';
  port: number;
}

const RELAYED = Symbol('portico.relayed');

/** The relayed client of a request the primary received from a worker; undefined for a client's own request. */
export function relayedOf(req: object): Relayed | undefined {
  return (req as {[RELAYED]?: Relayed})[RELAYED];
}

export function markRelayed(req: object, relayed: Relayed): void {
  (req as {[RELAYED]?: Relayed})[RELAYED] = relayed;
}
