import chalk from 'chalk';
import {Box, Text} from 'ink';
import type {View} from './model.js';
import {layoutColumns, outcomeText} from './columns.js';
import {clock, duration, fit, shortTarget, statusColor} from './format.js';

/** The newest requests that fit, newest at the bottom; the selected one highlighted. */
export function RequestLog({view, height, width}: {view: View; height: number; width: number}) {
  // Without colour (NO_COLOR, CI=true, a dumb terminal) reverse video is not drawn either: the
  // selected row then starts with a sign, so the user still sees what enter, r and y act on.
  const marked = chalk.level === 0;
  const rows = Math.max(1, height);
  const end = view.selected === undefined ? view.log.length : Math.min(view.log.length, Math.max(view.selected + 1, rows));
  const start = Math.max(0, end - rows);
  const shown = view.log.slice(start, end);
  const c = layoutColumns(shown, width);
  return (
    <Box flexDirection="column" height={rows}>
      {shown.length === 0 ? <Text dimColor>{view.filter ? `No requests match "${view.filter}".` : 'Waiting for requests…'}</Text> : null}
      {shown.map((e, i) => {
        const selected = start + i === view.selected;
        const failed = e.status >= 500 || e.error !== undefined;
        const outcome = outcomeText(e);
        return (
          <Text key={e.id} inverse={selected} wrap="truncate">
            {selected && marked ? '› ' : null}
            <Text dimColor>{clock(e.time)} </Text>
            <Text>{e.method.padEnd(c.method)} </Text>
            <Text color={statusColor(e.status)} bold={failed}>
              {e.status === 0 ? '---' : e.status}{' '}
            </Text>
            <Text color={failed ? 'red' : undefined}>{fit(`${e.host}${e.path}`, c.path).padEnd(c.path)} </Text>
            <Text>{duration(e.duration).padStart(c.duration)} </Text>
            <Text dimColor>{fit(shortTarget(e.target), c.target).padEnd(c.target)} </Text>
            <Text color="blue">{e.protocol.padEnd(c.protocol)}</Text>
            {outcome && c.error > 0 ? <Text color={e.error ? 'red' : 'magenta'}> {fit(outcome, c.error)}</Text> : null}
          </Text>
        );
      })}
    </Box>
  );
}
