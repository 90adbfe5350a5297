/** Expected findings written into a fixture spec as `# expect:` comment lines. */

export interface Expected {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly line: number;
  readonly col: number;
  readonly message: string;
  readonly hint?: string;
}

/** `# expect: CODE [warning] line:col message part [| hint part]` */
export function expectations(text: string): Expected[] {
  return [...text.matchAll(/^# expect: (ARA\d+) (?:(warning) )?(\d+):(\d+) (.*)$/gm)].map((m) => {
    const [message, hint] = m[5]!.split(' | ');
    return { code: m[1]!, severity: m[2] === 'warning' ? 'warning' : 'error', line: Number(m[3]), col: Number(m[4]), message: message!, ...(hint ? { hint } : {}) };
  });
}
