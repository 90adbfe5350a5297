/**
 * The aws-cdk-lib core classes, loaded through CommonJS `require` of `aws-cdk-lib/core`. An
 * ES-module `import ... from 'aws-cdk-lib'` makes Node read every named export of the CommonJS
 * root, which forces all of its lazily loaded service modules (~500 files, about 1.3 s of a synth);
 * even a `require` of the root compiles its 158 KB index of namespace getters (~20 ms) that a synth
 * never reads. The same classes come from `aws-cdk-lib/core` (the root re-exports it). Submodules
 * (`aws-cdk-lib/aws-s3`, ...) are imported directly where needed. Import the core classes from
 * here, never from 'aws-cdk-lib'.
 */
import { createRequire } from 'node:module';
import type * as cdk from 'aws-cdk-lib';

const core = createRequire(import.meta.url)('aws-cdk-lib/core') as typeof cdk;

export const App = core.App;
export type App = cdk.App;
export const ArnFormat = core.ArnFormat;
export type ArnFormat = cdk.ArnFormat;
export const Aws = core.Aws;
export const CfnResource = core.CfnResource;
export type CfnResource = cdk.CfnResource;
export const CustomResource = core.CustomResource;
export type CustomResource = cdk.CustomResource;
export const Duration = core.Duration;
export type Duration = cdk.Duration;
export const Fn = core.Fn;
export type Fn = cdk.Fn;
export const RemovalPolicy = core.RemovalPolicy;
export type RemovalPolicy = cdk.RemovalPolicy;
export const Stack = core.Stack;
export type Stack = cdk.Stack;
export const Tags = core.Tags;
export type Tags = cdk.Tags;
export const Token = core.Token;
export type Token = cdk.Token;
export const Validations = core.Validations;
export type Validations = cdk.Validations;
export type { Environment, StackProps } from 'aws-cdk-lib';
