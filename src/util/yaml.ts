/**
 * The `yaml` package as used on the `validate` path. The build stores a bundled copy with its V8
 * code cache (`<build>/vendor/yaml.cjs`): parsing YAML is most of what a cold `validate` does, and
 * the cache spares compiling the parser on every run. Falls back to the installed package.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { buildDir } from '../paths.js';
import { loadCachedScript } from './code-cache.js';

type YamlModule = typeof import('yaml');

const yaml = (loadCachedScript(join(buildDir, 'vendor', 'yaml.cjs')) ?? createRequire(import.meta.url)('yaml')) as YamlModule;

export const { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parse, parseDocument, visit } = yaml;
