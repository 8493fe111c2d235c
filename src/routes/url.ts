/** The URL a route is served at: `https://host[:port]/path` (no port when it is 443). */
export function routeUrl(host: string, path: string, port: number): string {
  return `https://${host}${port === 443 ? '' : `:${port}`}${path}`;
}
