/** Terminal conventions: results on stdout, everything else on stderr, colour only on a TTY without NO_COLOR. */

export function colourEnabled(stream: NodeJS.WriteStream = process.stderr): boolean {
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== undefined) return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

const codes = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, grey: 90, bold: 1, dim: 2 } as const;
export type Style = keyof typeof codes;

export function paint(text: string, style: Style, enabled: boolean): string {
  return enabled ? `\u001b[${codes[style]}m${text}\u001b[0m` : text;
}

export const out = (s: string): void => void process.stdout.write(s.endsWith('\n') ? s : s + '\n');
export const err = (s: string): void => void process.stderr.write(s.endsWith('\n') ? s : s + '\n');
