import {Box, Text} from 'ink';
import type {RequestEvent} from '../traffic/event.js';
import {clock, duration, statusColor} from './format.js';

function Headers({title, headers}: {title: string; headers?: Record<string, string | string[]>}) {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>{title}</Text>
      {headers ? (
        Object.entries(headers).map(([name, value]) => (
          <Text key={name} wrap="truncate">
            <Text color="cyan">{name}</Text>: {Array.isArray(value) ? value.join(', ') : value}
          </Text>
        ))
      ) : (
        <Text dimColor>(not recorded)</Text>
      )}
    </Box>
  );
}

export function Detail({event}: {event: RequestEvent}) {
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>{event.method} </Text>
        {event.host}
        {event.path} <Text color={statusColor(event.status)}>{event.status}</Text>
      </Text>
      <Text dimColor>
        at {clock(event.time)} · took {duration(event.duration)} · {event.bytes} bytes · {event.protocol} · target {event.target ?? '-'} · route {event.route ?? '-'}
      </Text>
      {event.error ? <Text color="red">error: {event.error}</Text> : null}
      <Headers title="Request headers" headers={event.requestHeaders} />
      <Headers title="Response headers" headers={event.responseHeaders} />
      <Text dimColor>esc back</Text>
    </Box>
  );
}
