import {Box, Text} from 'ink';

const KEYS: Array<[string, string]> = [
  ['q, Ctrl-C', 'quit'],
  ['p', 'pause / resume the log'],
  ['/', 'filter: status:5xx status:404 host:api method:POST path:/api, a bare 502 or 4xx (status), other words (text); enter applies, esc cancels'],
  ['↑ ↓', 'select a request (in the detail: scroll)'],
  ['enter', 'open the selected request: headers, bodies, timing, attempts, WebSocket messages'],
  ['r', 'replay the selected request through portico (a new entry)'],
  ['y', 'copy the selected request as a curl command (OSC 52), also shown'],
  ['u', "serve the selected request's copy of an app at its stable address (portico use); copies its switch link"],
  ['w', 'write the requests shown (and their captured bodies) as a HAR file in this directory'],
  ['l', 'LAN sharing (portico lan on): the QR code of the page that gives phones the LAN CA; esc closes'],
  ['t', 'fold / unfold the routes panel (in the detail too, for more room)'],
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
