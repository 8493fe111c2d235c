/**
 * Copy text to the terminal's clipboard with OSC 52, which works over SSH and in most terminals
 * (iTerm2, kitty, WezTerm, Windows Terminal, xterm with allowWindowOps, tmux with set-clipboard on).
 * A terminal cannot say whether it honoured it, so the dashboard also shows what it copied.
 */
export function osc52(text: string, env: NodeJS.ProcessEnv = process.env): string {
  const sequence = `\u001B]52;c;${Buffer.from(text, 'utf8').toString('base64')}\u0007`;
  // Inside tmux the sequence is wrapped so tmux hands it to the outer terminal even when set-clipboard is off.
  return env.TMUX ? `\u001BPtmux;${sequence.replace(/\u001B/g, '\u001B\u001B')}\u001B\\` : sequence;
}

/** Writes OSC 52 to a TTY; returns false when there is none (the command is then only shown). */
export function copyToTerminal(text: string, stdout: NodeJS.WriteStream | undefined): boolean {
  if (!stdout?.isTTY) return false;
  stdout.write(osc52(text));
  return true;
}
