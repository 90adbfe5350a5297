/** One-line titles of the loader and schema codes (SARIF rule descriptions, docs/cli.md). */
const titles: Record<string, string> = {
  ARA100: 'YAML syntax error',
  ARA101: 'Duplicate key in a mapping',
  ARA102: 'Tab used for indentation',
  ARA103: 'Alias problem (undefined anchor or too many alias expansions)',
  ARA104: 'Spec file cannot be read (missing, a directory, no permission)',
  ARA105: 'Spec file is empty',
  ARA106: 'Spec file is not UTF-8 text (binary or other encoding) or too large',
  ARA107: 'Document is not a mapping',
  ARA108: 'More than one YAML document in the file',
  ARA109: 'YAML warning (e.g. an unknown tag)',
  ARA110: 'Unknown key',
  ARA111: 'Missing required key',
  ARA112: 'Value of the wrong type',
  ARA113: 'Value not among the allowed values',
  ARA114: 'Value in the wrong format',
  ARA115: 'Value, length or count out of range',
  ARA116: 'Duplicate item in a list',
  ARA117: 'Invalid entry name',
  ARA119: 'Value does not match the schema',
};

export function codeTitle(code: string): string {
  return titles[code] ?? `Semantic rule ${code} (see docs/error-codes.md)`;
}
