import {Box, Text} from 'ink';
import type {View} from './model.js';
import {uptime} from './format.js';

export function Header({view, trust}: {view: View; trust: string}) {
  const s = view.status;
  return (
    <Box flexDirection="column">
      <Box>
        <Text bold color="magenta">
          portico{' '}
        </Text>
        {s ? (
          <Text>
            https://localhost:{s.port}{' '}
            <Text dimColor>
              · up {uptime(view.now - s.startedAt)} · pid {s.pid} · CA{' '}
            </Text>
            <Text color={trust === 'trusted' ? 'green' : trust === 'untrusted' ? 'yellow' : 'gray'}>{trust}</Text>
          </Text>
        ) : (
          <Text color="yellow">{view.error ?? 'connecting…'}</Text>
        )}
        <Text dimColor> · </Text>
        <Text bold>{view.total.rate.toFixed(1)} req/s</Text>
        {view.paused ? <Text color="yellow"> · PAUSED{view.missed > 0 ? ` (${view.missed} new)` : ''}</Text> : null}
      </Box>
      {view.lan ? (
        <Text color="yellow" wrap="truncate">
          LAN {view.lan.address}:{view.lan.port} · {view.lan.shares.length} {view.lan.shares.length === 1 ? 'route' : 'routes'} shared{' '}
          <Text dimColor>(portico listens beyond loopback; l shows the QR code)</Text>
        </Text>
      ) : null}
      {view.error && s ? <Text color="red">{view.error}</Text> : null}
    </Box>
  );
}
