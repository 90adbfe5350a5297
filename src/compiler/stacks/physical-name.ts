/**
 * A model's physical name as a CDK value. In an environment-agnostic spec names that embed the
 * account or region hold naming.ts's `${AWS::AccountId}` / `${AWS::Region}` (written by ara-gen,
 * never by the spec: every spec part of such a name is reduced to `[a-z0-9-]`); CloudFormation
 * substitutes them at deploy time through `Fn::Sub`. Every other name is used as is.
 */
import { Fn } from '../cdk-core.js';
import { hasPseudoReference } from '../naming.js';

// One token per name: constructs compare names (one IAM statement per bucket), and two Fn.sub
// calls of the same text would give two different token strings.
const tokens = new Map<string, string>();

export function cfnName(name: string): string {
  if (!hasPseudoReference(name)) return name;
  let token = tokens.get(name);
  if (token === undefined) {
    token = Fn.sub(name);
    tokens.set(name, token);
  }
  return token;
}
