/** Small pure helpers the components share. */
export function statusColor(status: number): string {
  if (status === 0) return 'gray';
  if (status < 300) return 'green';
  if (status < 400) return 'cyan';
  if (status < 500) return 'yellow';
  return 'red';
}

export function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

export function duration(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export function uptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

export function fit(text: string, width: number): string {
  if (width <= 1) return '';
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

export function shortTarget(url: string | undefined): string {
  return url ? url.replace(/^https?:\/\//, '') : '-';
}
