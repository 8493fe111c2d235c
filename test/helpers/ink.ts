import {waitFor} from './wait.js';

/**
 * What ink-testing-library's `render()` returns (it renders with `debug: true`, so every React
 * commit writes one frame), or a fake terminal shaped the same for ink's own `render`.
 */
export interface InkScreen {
  lastFrame: () => string | undefined;
  frames: readonly string[];
  stdin: {write: (data: string) => void; listenerCount: (event: string) => number};
}

/** A frame's expected content: a substring, a pattern, or a check. */
export type Expected = string | RegExp | ((frame: string) => boolean);

const matches = (frame: string, expected: Expected): boolean =>
  typeof expected === 'string' ? frame.includes(expected) : expected instanceof RegExp ? expected.test(frame) : expected(frame);

/** Waits on what an ink app writes, never on time; a timeout's error carries the last frame. */
export function screen(app: InkScreen) {
  const last = () => app.lastFrame() ?? '';
  const detail = () => `last frame (${app.frames.length} written):\n${last()}`;
  return {
    /** Waits until the newest frame matches `expected`; resolves with that frame. */
    shows: (expected: Expected, what = `the screen to show ${String(expected)}`): Promise<string> =>
      waitFor(() => (matches(last(), expected) ? last() : undefined), {what, detail}),
    /**
     * Waits until the app listens for keys (ink attaches its stdin listener in an effect, after
     * the first frame), writes `input` as one chunk, then waits until a frame is written after it;
     * resolves with the newest frame. A key's state changes at once, but an escape alone is held
     * by ink's parser until setImmediate: after it, wait for the new state with `shows`.
     */
    press: async (input: string): Promise<string> => {
      await waitFor(() => app.stdin.listenerCount('readable') > 0, {what: 'the app to listen for keys', detail});
      const before = app.frames.length;
      app.stdin.write(input);
      return waitFor(() => (app.frames.length > before ? last() : undefined), {what: `a frame after the key ${JSON.stringify(input)}`, detail});
    },
  };
}
