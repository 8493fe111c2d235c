import {Text} from 'ink';
import type {View} from './model.js';

export function Footer({view}: {view: View}) {
  if (view.editing !== undefined) {
    return (
      <Text>
        <Text color="cyan">filter: </Text>
        {view.editing}
        <Text inverse> </Text>
        <Text dimColor> enter apply · esc cancel</Text>
      </Text>
    );
  }
  return (
    <Text dimColor>
      q quit · p {view.paused ? 'resume' : 'pause'} · / filter{view.filter ? ` (${view.filter})` : ''} · ↑↓ select · enter detail · c clear · ? help
    </Text>
  );
}
