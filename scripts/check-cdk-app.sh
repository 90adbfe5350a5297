#!/usr/bin/env bash
# The typed-library check: packs ara-gen as it would be published, installs the tarball into a
# scratch copy of examples/cdk-app (as a user's project would), type-checks the app with `strict`
# and synthesizes it. Proves the tarball carries its declarations, its exports resolve for
# `ara-gen`, `ara-gen/compiler` and `ara-gen/runtime`, it holds no test files, and the Platform
# construct works from a CDK app of its own. Packages come from the npm cache when they can.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# `npm pack` builds first (the `prepack` script: JavaScript and declarations).
tarball=$(npm pack --silent --pack-destination "$tmp" | tail -1)
if tar -tzf "$tmp/$tarball" | grep -E '(^|/)test/|\.test\.(js|d\.ts)$'; then
  echo "check-cdk-app: the tarball holds test files (above)" >&2
  exit 1
fi

mkdir -p "$tmp/examples"
cp -r examples/cdk-app "$tmp/examples/cdk-app"
cp examples/mystore.yaml "$tmp/examples/mystore.yaml"
rm -rf "$tmp/examples/cdk-app/node_modules" "$tmp/examples/cdk-app/dist" "$tmp/examples/cdk-app/cdk.out"
cd "$tmp/examples/cdk-app"
# The CDK libraries, TypeScript and @types/node at the versions this repository locks.
pin() { node -p "require('$root/node_modules/$1/package.json').version"; }
npm install --prefer-offline --no-audit --no-fund --loglevel=error \
  "$tmp/$tarball" "aws-cdk-lib@$(pin aws-cdk-lib)" "constructs@$(pin constructs)" \
  "typescript@$(pin typescript)" "@types/node@$(pin @types/node)"
# Every entry point resolves to declarations (without them a strict app fails with TS7016).
cat > src/entry-points.ts <<'TS'
import type { PlatformModel } from 'ara-gen/compiler';
import { Platform } from 'ara-gen';
import { AsyncSinkWriter, createSink, type SinkConfig } from 'ara-gen/runtime';
export type Checked = [PlatformModel, Platform, AsyncSinkWriter<unknown>, typeof createSink, SinkConfig];
TS
npx tsc -p tsconfig.json --strict
CDK_OUTDIR=cdk.out node dist/app.js
for stack in mystore-dev-foundations mystore-dev-batch Reports; do
  test -s "cdk.out/$stack.template.json" || { echo "check-cdk-app: $stack was not synthesized" >&2; exit 1; }
done
grep -q 'Fn::ImportValue' cdk.out/Reports.template.json || { echo "check-cdk-app: Reports does not reference the platform" >&2; exit 1; }
echo "check-cdk-app: $tarball installs, type-checks under strict and synthesizes examples/cdk-app"
