import {Box, Text} from 'ink';
import {describeOptions} from '../routes/options-data.js';
import {sparkline} from '../traffic/stats.js';
import type {View} from './model.js';
import {fit, shortTarget} from './format.js';

export function RoutesPanel({view, width}: {view: View; width: number}) {
  const routes = view.status?.routes ?? [];
  if (routes.length === 0) return <Text dimColor>No routes yet. Add one: portico add app.localhost 5173</Text>;
  return (
    <Box flexDirection="column">
      {routes.map((r) => {
        const key = r.path === '/' ? r.host : `${r.host}${r.path}`;
        const stats = view.routes.get(key);
        return (
          <Box key={key} flexDirection="column">
            <Box>
              <Text bold>{fit(r.url, Math.max(20, width - 52))}</Text>
              <Text> {(stats?.rate ?? 0).toFixed(1).padStart(6)} req/s</Text>
              <Text dimColor> p50 </Text>
              <Text>{String(stats?.p50 ?? 0).padStart(4)}ms</Text>
              <Text dimColor> p95 </Text>
              <Text>{String(stats?.p95 ?? 0).padStart(4)}ms</Text>
              <Text color={stats?.errors ? 'red' : undefined} dimColor={!stats?.errors}> err {stats?.errors ?? 0}</Text>
              <Text color="cyan"> {sparkline(stats?.series ?? [], 12)}</Text>
            </Box>
            <Box paddingLeft={2}>
              {r.targets.map((t) => (
                <Text key={t.target}>
                  <Text color={t.healthy ? 'green' : 'red'}>{t.healthy ? '●' : '○'}</Text> {shortTarget(t.target)}
                  <Text dimColor> ({t.active} active){r.targets.length > 1 ? '  ' : ''}</Text>
                </Text>
              ))}
              {r.targets.length > 1 ? <Text dimColor>{r.strategy}</Text> : null}
            </Box>
            {r.options ? (
              <Box paddingLeft={2}>
                <Text color="cyan">{fit(describeOptions(r.options).join(' · '), Math.max(20, width - 2))}</Text>
              </Box>
            ) : null}
          </Box>
        );
      })}
    </Box>
  );
}
