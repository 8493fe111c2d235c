import {Box, Text} from 'ink';

const KEYS: Array<[string, string]> = [
  ['q, Ctrl-C', 'quit'],
  ['p', 'pause / resume the log'],
  ['/', 'filter by text (host, path, status, method); enter applies, esc cancels'],
  ['↑ ↓', 'select a request'],
  ['enter', 'open the selected request'],
  ['esc', 'back; clear the selection or the filter'],
  ['c', 'clear the log'],
  ['?', 'this help'],
];

export function Help() {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>Keys</Text>
      {KEYS.map(([key, what]) => (
        <Text key={key}>
          <Text color="cyan">{key.padEnd(10)}</Text> {what}
        </Text>
      ))}
      <Text dimColor>any key closes this help</Text>
    </Box>
  );
}
