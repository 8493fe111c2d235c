import {findFirefoxProfiles} from './firefox.js';
import type {StoreName, StoreResult, TrustContext} from './types.js';

/**
 * What `trust` left out and why, said rather than silent (README "Troubleshooting"): Firefox when it has no
 * profile yet (its NSS database is made on its first start), and a JDK when JAVA_HOME is unset
 * (java is opt-in). Lines of their own, never a store's result, so trust.json is unaffected.
 */
export function skippedNotes(ctx: TrustContext, stores: readonly StoreName[], explicit: boolean): StoreResult[] {
  const notes: StoreResult[] = [];
  if (stores.includes('nss') && findFirefoxProfiles(ctx.user.home, ctx.platform).length === 0) {
    notes.push({store: 'Firefox', ok: true, skipped: true, message: 'skipped: no Firefox profile yet; start Firefox once, then run `portico trust` again'});
  }
  if (!explicit && !stores.includes('java')) {
    notes.push({store: 'java', ok: true, skipped: true, message: 'skipped: JAVA_HOME is not set; for a JDK, set it or run `portico trust --stores java`'});
  }
  return notes;
}
