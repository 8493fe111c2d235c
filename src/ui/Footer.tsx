import {Box, Text} from 'ink';
import type {View} from './model.js';

export function Footer({view}: {view: View}) {
  if (view.editing !== undefined) {
    return (
      <Box flexDirection="column">
        {view.filterError ? <Text color="red">{view.filterError}</Text> : null}
        <Text wrap="truncate">
          <Text color="cyan">filter: </Text>
          {view.editing}
          <Text inverse> </Text>
          <Text dimColor> status:5xx host:api method:POST path:/api text · enter apply · esc cancel</Text>
        </Text>
      </Box>
    );
  }
  if (view.lanPanel) {
    return (
      <Text dimColor wrap="truncate">
        esc back · q quit
      </Text>
    );
  }
  if (view.detail) {
    return (
      <Text dimColor wrap="truncate">
        esc back · ↑↓ scroll · r replay · y copy as curl · w write HAR · t routes
      </Text>
    );
  }
  return (
    <Text dimColor wrap="truncate">
      q quit · p {view.paused ? 'resume' : 'pause'} · / filter{view.filter ? ` (${view.filter})` : ''} · ↑↓ select · enter detail · r replay · y curl · w HAR ·{' '}
      {view.lan ? 'l LAN QR · ' : ''}t routes · c clear · ? help
    </Text>
  );
}
