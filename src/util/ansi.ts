/** ANSI styling for terminal text; whether to style at all is the caller's decision (src/cli/io.ts). */

const codes = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, grey: 90, bold: 1, dim: 2 } as const;
export type Style = keyof typeof codes;

export function paint(text: string, style: Style, enabled: boolean): string {
  return enabled ? `\u001b[${codes[style]}m${text}\u001b[0m` : text;
}
