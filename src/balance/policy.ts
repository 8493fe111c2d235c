import type {Upstream} from './upstream.js';

export interface SelectContext {
  /** Upstreams that may be chosen: available, not drained (weight 0) and not already tried for this request. */
  candidates: readonly Upstream[];
  /** The upstream a sticky cookie names, if the request carried one. */
  sticky?: Upstream;
}

/** One selection interface with one method; one small module per policy. */
export interface Policy {
  select(ctx: SelectContext): Upstream | undefined;
}
