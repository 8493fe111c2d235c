import {readFileSync, readdirSync} from 'node:fs';
import path from 'node:path';

export function daemonPid(home: string): number {
  return (JSON.parse(readFileSync(path.join(home, 'daemon.json'), 'utf8')) as {pid: number}).pid;
}

/** Open file descriptors of a process (sockets included). */
export function fds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Resident memory in MB. */
export function rss(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}
