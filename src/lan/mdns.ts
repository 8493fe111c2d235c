import makeMdns from 'multicast-dns';

/**
 * Answer mDNS queries (A and ANY) for the shared names with the LAN address, on that interface only,
 * so a phone resolves `app.local` without any DNS setup.
 */
export function answerMdns(names: readonly string[], address: string): {close(): void} {
  // Bound to the wildcard: a socket bound to the unicast address never sees packets sent to 224.0.0.251.
  const mdns = makeMdns({interface: address, bind: '0.0.0.0'});
  const ours = new Set(names);
  mdns.on('query', (query) => {
    const asked = query.questions.filter((q) => ours.has(q.name.toLowerCase()) && (q.type === 'A' || (q.type as string) === 'ANY'));
    if (asked.length === 0) return;
    mdns.respond({answers: asked.map((q) => ({name: q.name, type: 'A' as const, ttl: 120, data: address}))});
  });
  mdns.on('error', () => {});
  return {close: () => mdns.destroy()};
}
