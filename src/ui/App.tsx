import {Box, Text, useApp, useInput, useStdout} from 'ink';
import {useEffect, useState, useSyncExternalStore} from 'react';
import {Detail} from './Detail.js';
import {Footer} from './Footer.js';
import {Header} from './Header.js';
import {Help} from './Help.js';
import {LanPanel} from './LanPanel.js';
import type {DashModel} from './model.js';
import {RequestLog} from './RequestLog.js';
import {RoutesPanel} from './RoutesPanel.js';

function useSize(): {columns: number; rows: number} {
  const {stdout} = useStdout();
  const read = () => ({columns: stdout.columns || 100, rows: stdout.rows || 30});
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

/** The dashboard: subscribes to the model and renders it; keys go to the model. */
export function App({model, trust}: {model: DashModel; trust: string}) {
  const {exit} = useApp();
  const view = useSyncExternalStore(
    (onChange) => {
      model.on('change', onChange);
      return () => model.off('change', onChange);
    },
    () => model.view(),
  );
  const {columns, rows} = useSize();
  useInput((input, key) => {
    if (model.key(input, key) === 'quit') exit();
  });
  useEffect(() => model.resize(columns, rows), [model, columns, rows]);
  const {logHeight, routesFolded: folded} = view;
  return (
    <Box flexDirection="column" width={columns}>
      <Header view={view} trust={trust} />
      <Box marginY={1} flexDirection="column">
        <RoutesPanel view={view} width={columns} folded={folded} />
        {view.health.map((line) => (
          <Text key={line.text} color={line.up ? 'green' : 'red'} wrap="truncate">
            {line.text}
          </Text>
        ))}
      </Box>
      {view.help ? (
        <Help />
      ) : view.lanPanel && view.lan ? (
        <LanPanel lan={view.lan} />
      ) : view.detail ? (
        <Detail detail={view.detail} height={logHeight} />
      ) : (
        <RequestLog view={view} height={logHeight} width={columns} />
      )}
      {view.message ? <Text color="yellow">{view.message}</Text> : null}
      <Footer view={view} />
    </Box>
  );
}
