import {Box, Text} from 'ink';
import type {DashLan} from './source.js';

/** `l`: the QR code a phone's camera opens, the page URL, and the shared routes' LAN URLs. */
export function LanPanel({lan}: {lan: DashLan}) {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>
        LAN: portico listens on {lan.address}:{lan.port}
      </Text>
      <Text>Scan with the phone's camera to trust the LAN CA, then open a route:</Text>
      <Text>{lan.qr.replace(/\n+$/, '')}</Text>
      <Text color="cyan">{lan.page}</Text>
      {lan.shares.map((s) => (
        <Text key={s.name} wrap="truncate">
          {s.url} <Text dimColor>-&gt; {s.host}</Text>
        </Text>
      ))}
      <Text dimColor>esc closes · stop sharing: portico lan off</Text>
    </Box>
  );
}
