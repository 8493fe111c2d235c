import {Box, Text} from 'ink';
import {describeOptions} from '../routes/options-data.js';
import {sparkline} from '../traffic/stats.js';
import type {View} from './model.js';
import {fit, shortTarget} from './format.js';

const SPARK = 12;

/** Routes with their rates and instances; columns line up across routes, and `t` (or a short terminal) folds it to one line. */
export function RoutesPanel({view, width, folded = false}: {view: View; width: number; folded?: boolean}) {
  const routes = view.status?.routes ?? [];
  if (routes.length === 0) return <Text dimColor>No routes yet. Add one: portico add app.localhost 5173</Text>;
  if (folded) {
    const down = routes.reduce((n, r) => n + r.targets.filter((t) => !t.healthy).length, 0);
    return (
      <Text wrap="truncate">
        <Text bold>
          {routes.length} route{routes.length === 1 ? '' : 's'}
        </Text>
        <Text dimColor> · {routes.reduce((n, r) => n + r.targets.length, 0)} instances</Text>
        {down > 0 ? <Text color="red"> · {down} down</Text> : null}
        <Text dimColor> · t shows the routes</Text>
      </Text>
    );
  }
  // The URL (name and port) is whole; on a narrow terminal the figures beside it give way instead.
  const urlWidth = Math.min(Math.max(...routes.map((r) => r.url.length)), Math.max(20, width - 2));
  const shown = figuresThatFit(width - urlWidth);
  return (
    <Box flexDirection="column">
      {routes.map((r) => {
        const key = r.path === '/' ? r.host : `${r.host}${r.path}`;
        const stats = view.routes.get(key);
        // The current second is still filling: leaving it out keeps the sparkline from jumping between frames.
        const series = (stats?.series ?? []).slice(0, -1);
        return (
          <Box key={key} flexDirection="column">
            <Text wrap="truncate">
              <Text bold>{fit(r.url, urlWidth).padEnd(urlWidth)}</Text>
              {shown.has('rate') ? <Text> {(stats?.rate ?? 0).toFixed(1).padStart(7)} req/s</Text> : null}
              {shown.has('p50') ? (
                <Text>
                  <Text dimColor> p50 </Text>
                  {String(stats?.p50 ?? 0).padStart(5)}ms
                </Text>
              ) : null}
              {shown.has('p95') ? (
                <Text>
                  <Text dimColor> p95 </Text>
                  {String(stats?.p95 ?? 0).padStart(5)}ms
                </Text>
              ) : null}
              {shown.has('err') ? (
                <Text color={stats?.errors ? 'red' : undefined} dimColor={!stats?.errors}>
                  {' '}
                  err {String(stats?.errors ?? 0).padStart(4)}
                </Text>
              ) : null}
              {shown.has('spark') ? <Text color="cyan"> {sparkline(series, SPARK).padStart(SPARK)}</Text> : null}
            </Text>
            <Text wrap="truncate">
              {'  '}
              {r.targets.map((t) => (
                <Text key={t.target}>
                  <Text color={t.healthy ? 'green' : 'red'}>{t.healthy ? '●' : '○'}</Text> {shortTarget(t.target)}
                  {t.weight === 0 ? (
                    <Text color="yellow"> drained</Text>
                  ) : t.weight !== undefined && t.weight !== 1 ? (
                    <Text color="cyan"> ×{t.weight}</Text>
                  ) : null}
                  <Text dimColor>
                    {' '}
                    ({t.active} active){'  '}
                  </Text>
                </Text>
              ))}
              {r.targets.length > 1 ? <Text dimColor>{r.strategy}</Text> : null}
            </Text>
            {r.options ? (
              <Text wrap="truncate" color="cyan">
                {'  '}
                {fit(describeOptions(r.options).join(' · '), Math.max(20, width - 2))}
              </Text>
            ) : null}
          </Box>
        );
      })}
    </Box>
  );
}

type Figure = 'rate' | 'p50' | 'p95' | 'err' | 'spark';

/** Each figure's width, most wanted first: what fits in `room` beside the URL is shown. */
const FIGURES: ReadonlyArray<[Figure, number]> = [
  ['rate', 14],
  ['err', 9],
  ['p50', 12],
  ['p95', 12],
  ['spark', SPARK + 1],
];

export function figuresThatFit(room: number): Set<Figure> {
  const shown = new Set<Figure>();
  for (const [figure, size] of FIGURES) {
    if (size > room) break;
    shown.add(figure);
    room -= size;
  }
  return shown;
}
