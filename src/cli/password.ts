import {UserError} from '../errors.js';

/**
 * A password for `--auth basic:USER`: typed at a prompt on a terminal (not echoed), or the first line
 * of stdin when it is piped (`printf '%s\n' "$PW" | portico add ...`). Never an argument, so it stays
 * out of shell history and `ps`.
 */
export async function readPassword(prompt: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  const password = input.isTTY ? await fromTerminal(prompt, input, output) : await firstLine(input);
  if (password === '') throw new UserError('Empty password for --auth basic: type one at the prompt or pipe it on stdin.', {exit: 2});
  return password;
}

function fromTerminal(prompt: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  output.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      input.removeListener('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const c of chunk) {
        if (c === '\r' || c === '\n') return done();
        if (c === '\u0003') return done(new UserError('Cancelled: no password given.', {exit: 130}));
        if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1);
        else typed += c;
      }
    };
    input.on('data', onData);
  });
}

async function firstLine(input: NodeJS.ReadStream): Promise<string> {
  let text = '';
  for await (const chunk of input) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}
