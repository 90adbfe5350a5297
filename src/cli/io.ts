/** Terminal conventions: results on stdout, everything else on stderr, colour only on a TTY without NO_COLOR. */

export function colourEnabled(stream: NodeJS.WriteStream = process.stderr): boolean {
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== undefined) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

export { paint, type Style } from '../util/ansi.js';

export const out = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : s + '\n');
export const err = (s: string): void => void process.stderr.write(s.endsWith('\n') ? s : s + '\n');

/**
 * A reader that stops early (`ara-gen schema | head -1`) closes the pipe; without a listener the
 * next write dies with an unhandled EPIPE and a stack trace. Unix tools stop quietly instead: a
 * closed stdout ends the process with success (nothing more can be delivered to that reader); a
 * closed stderr only loses diagnostics, so the command still finishes its work (a sink run keeps
 * draining and checkpointing).
 */
export function handleClosedPipes(): void {
  if (process.stdout.listenerCount('error') === 0) {
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
  if (process.stderr.listenerCount('error') === 0) {
    process.stderr.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
    });
  }
}
