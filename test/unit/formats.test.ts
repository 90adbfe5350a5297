/** Output formats: text frames, the versioned JSON shape, GitHub escaping, SARIF 2.1.0 structure. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Diagnostic } from '../../src/compiler/diagnostics.js';
import { escapeData, escapeProperty, formatGithub } from '../../src/compiler/format/github.js';
import { formatJson } from '../../src/compiler/format/json.js';
import { SARIF_SCHEMA, formatSarif } from '../../src/compiler/format/sarif.js';
import { summaryLine, summarize } from '../../src/compiler/format/summary.js';
import { formatText } from '../../src/compiler/format/text.js';
import { codeTitle } from '../../src/compiler/format/codes.js';
import { LoaderCode } from '../../src/compiler/load.js';
import { rules } from '../../src/compiler/rules/index.js';
import { SchemaCode } from '../../src/compiler/schema-check.js';

const TEXT = 'version: 1\nsinks:\n  events:\n    bufferingHint: {}\n';
const unknownKey: Diagnostic = {
  code: 'ARA110',
  severity: 'error',
  message: "unknown key 'bufferingHint': did you mean 'bufferingHints'?",
  hint: 'allowed keys in sinks.events: type, bufferingHints',
  file: 'specs/a.yaml',
  path: '/sinks/events/bufferingHint',
  start: { line: 4, col: 5 },
  end: { line: 4, col: 18 },
};
const warning: Diagnostic = {
  code: 'ARA209',
  severity: 'warning',
  message: 'removal policy, 50% kept: see "docs"\nsecond line',
  file: 'specs/b,c:d.yaml',
  path: '',
  start: { line: 1, col: 1 },
};
const results = [
  { file: 'specs/a.yaml', diagnostics: [unknownKey], text: TEXT },
  { file: 'specs/b,c:d.yaml', diagnostics: [warning] },
  { file: 'specs/clean.yaml', diagnostics: [] },
];

const text = suite('format: text');

text('one block per finding with a code frame, caret under the range, hint, summary', () => {
  const out = formatText(results, { colour: false });
  assert.is(
    out,
    [
      "specs/a.yaml:4:5  error ARA110  unknown key 'bufferingHint': did you mean 'bufferingHints'?",
      '  3 |   events:',
      '> 4 |     bufferingHint: {}',
      '    |     ^^^^^^^^^^^^^',
      '  hint: allowed keys in sinks.events: type, bufferingHints',
      '',
      'specs/b,c:d.yaml:1:1  warning ARA209  removal policy, 50% kept: see "docs"\nsecond line',
      '',
      '1 error, 1 warning in 2 files (3 checked)',
      '',
    ].join('\n'),
  );
  assert.not.match(out, /\u001b\[/);
});

text('colour only when enabled', () => {
  assert.match(formatText(results, { colour: true }), /\u001b\[31merror\u001b\[0m/);
});

text('summary lines', () => {
  assert.is(summaryLine(summarize([{ file: 'a', diagnostics: [unknownKey, unknownKey] }])), '2 errors in 1 file');
  assert.is(summaryLine(summarize([{ file: 'a', diagnostics: [] }, { file: 'b', diagnostics: [] }])), 'no problems in 2 files');
  assert.is(formatText([{ file: 'a', diagnostics: [unknownKey] }], { summary: false }).split('\n').length, 3);
});

const json = suite('format: json');

json('versioned shape with every field present', () => {
  const doc = JSON.parse(formatJson(results));
  assert.equal(Object.keys(doc), ['version', 'files', 'summary']);
  assert.is(doc.version, 1);
  assert.equal(doc.files[0], {
    file: 'specs/a.yaml',
    diagnostics: [
      {
        code: 'ARA110',
        severity: 'error',
        message: "unknown key 'bufferingHint': did you mean 'bufferingHints'?",
        hint: 'allowed keys in sinks.events: type, bufferingHints',
        path: '/sinks/events/bufferingHint',
        line: 4,
        column: 5,
        endLine: 4,
        endColumn: 18,
      },
    ],
  });
  assert.equal(doc.files[1].diagnostics[0].hint, null);
  assert.equal(doc.files[1].diagnostics[0].endLine, 1);
  assert.equal(doc.files[2], { file: 'specs/clean.yaml', diagnostics: [] });
  assert.equal(doc.summary, { files: 3, filesWithFindings: 2, errors: 1, warnings: 1 });
});

const github = suite('format: github');

github('escaping per the workflow-command rules', () => {
  assert.is(escapeData('50% done\r\nnext'), '50%25 done%0D%0Anext');
  assert.is(escapeProperty('a,b:c%d\n'), 'a%2Cb%3Ac%25d%0A');
});

github('one ::error / ::warning command per finding, hint on a second line', () => {
  const lines = formatGithub(results).trimEnd().split('\n');
  assert.equal(lines, [
    "::error file=specs/a.yaml,line=4,col=5,endLine=4,endColumn=18,title=ARA110::unknown key 'bufferingHint': did you mean 'bufferingHints'?%0Ahint: allowed keys in sinks.events: type, bufferingHints",
    '::warning file=specs/b%2Cc%3Ad.yaml,line=1,col=1,title=ARA209::removal policy, 50%25 kept: see "docs"%0Asecond line',
    '1 error, 1 warning in 2 files (3 checked)',
  ]);
});

const sarif = suite('format: sarif');

sarif('SARIF 2.1.0 structure: driver, rules, results with physical locations', () => {
  const log = JSON.parse(formatSarif(results));
  assert.is(log.$schema, SARIF_SCHEMA);
  assert.is(log.version, '2.1.0');
  assert.is(log.runs.length, 1);
  const driver = log.runs[0].tool.driver;
  assert.is(driver.name, 'ara-gen');
  assert.match(driver.version, /^\d+\.\d+\.\d+/);
  assert.match(driver.informationUri, /^https:\/\//);
  assert.equal(driver.rules, [
    { id: 'ARA110', shortDescription: { text: 'Unknown key' } },
    { id: 'ARA209', shortDescription: { text: 'Semantic rule ARA209 (see docs/error-codes.md)' } },
  ]);
  const [r0, r1] = log.runs[0].results;
  assert.equal(r0, {
    ruleId: 'ARA110',
    ruleIndex: 0,
    level: 'error',
    message: { text: "unknown key 'bufferingHint': did you mean 'bufferingHints'?\nhint: allowed keys in sinks.events: type, bufferingHints" },
    locations: [{ physicalLocation: { artifactLocation: { uri: 'specs/a.yaml' }, region: { startLine: 4, startColumn: 5, endLine: 4, endColumn: 18 } } }],
  });
  assert.is(r1.level, 'warning');
  assert.is(r1.ruleIndex, 1);
  assert.is(log.runs[0].results.length, 2);
});

sarif('absolute paths become relative to the working directory', () => {
  const log = JSON.parse(formatSarif([{ file: `${process.cwd()}/x/y.yaml`, diagnostics: [unknownKey] }]));
  assert.is(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'x/y.yaml');
});

sarif('every code a rule, the loader or the schema check can report has a real title (no generic fallback)', () => {
  const codes = [...Object.values(LoaderCode), ...Object.values(SchemaCode), ...rules.flatMap((r) => r.codes), 'ARA280', 'ARA290', 'ARA299'];
  assert.equal(codes.filter((c) => codeTitle(c).startsWith('Semantic rule')), []);
  const log = JSON.parse(formatSarif([{ file: 'a.yaml', diagnostics: [{ ...unknownKey, code: 'ARA201' }] }]));
  assert.equal(log.runs[0].tool.driver.rules, [{ id: 'ARA201', shortDescription: { text: 'Reference to an undeclared entry' } }]);
});

text.run();
json.run();
github.run();
sarif.run();
