import {Box, Text} from 'ink';
import type {DetailView} from './model.js';

/** A window of the detail lines (the model builds them); ↑↓ scroll it. */
export function Detail({detail, height}: {detail: DetailView; height: number}) {
  const shown = detail.lines.slice(detail.scroll, detail.scroll + Math.max(1, height));
  const more = detail.lines.length - detail.scroll - shown.length;
  return (
    <Box flexDirection="column" height={Math.max(1, height)}>
      {shown.map((line, i) => (
        <Text key={detail.scroll + i} wrap="truncate" bold={line.bold} dimColor={line.dim} color={line.color}>
          {line.text || ' '}
          {i === shown.length - 1 && more > 0 ? <Text dimColor>{`  ↓ ${more} more`}</Text> : null}
        </Text>
      ))}
    </Box>
  );
}
