#!/usr/bin/env bash
# The typed-library check: packs ara-gen as it would be published, puts the tarball into a scratch
# copy of examples/cdk-app as a user's project would have it, type-checks the app with `strict` and
# synthesizes it. Proves the tarball holds its declarations and no test files, its exports resolve
# for `ara-gen`, `ara-gen/compiler` and `ara-gen/runtime`, every package its code imports is a
# declared dependency, and the Platform construct works in a CDK app of its own.
#
# Offline and fast by default: the tarball is unpacked into the app's node_modules and the other
# packages are this repository's installed ones (one copy of aws-cdk-lib, as a peer dependency
# gives). ARA_CHECK_INSTALL=registry installs the tarball with npm instead (resolves from the npm
# registry, minutes on a cold cache).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Declarations, then the tarball (the JavaScript is built already: `npm ci` runs `prepare`).
npx tsc -p tsconfig.build.json
tarball=$(npm pack --ignore-scripts --silent --pack-destination "$tmp" | tail -1)
if tar -tzf "$tmp/$tarball" | grep -E '(^|/)(test|bench)/|\.test\.(js|d\.ts)$'; then
  echo "check-cdk-app: the tarball holds test files (above)" >&2
  exit 1
fi

mkdir -p "$tmp/examples"
cp -r examples/cdk-app "$tmp/examples/cdk-app"
cp examples/mystore.yaml "$tmp/examples/mystore.yaml"
app="$tmp/examples/cdk-app"
rm -rf "$app/node_modules" "$app/dist" "$app/cdk.out"
if [ "${ARA_CHECK_INSTALL:-}" = registry ]; then
  pin() { node -p "require('$root/node_modules/$1/package.json').version"; }
  (cd "$app" && npm install --prefer-offline --no-audit --no-fund --loglevel=error \
    "$tmp/$tarball" "aws-cdk-lib@$(pin aws-cdk-lib)" "constructs@$(pin constructs)" \
    "typescript@$(pin typescript)" "@types/node@$(pin @types/node)")
else
  mkdir -p "$app/node_modules/ara-gen"
  tar -xzf "$tmp/$tarball" -C "$app/node_modules/ara-gen" --strip-components=1
  for dep in "$root"/node_modules/* "$root"/node_modules/.bin; do
    [ "$(basename "$dep")" = ara-gen ] || ln -s "$dep" "$app/node_modules/$(basename "$dep")"
  done
  # What the packed code imports must be declared: the symlinked packages would hide a missing one.
  node "$root/scripts/check-package-imports.js" "$app/node_modules/ara-gen"
fi

cd "$app"
# Every entry point resolves to declarations (without them a strict app fails with TS7016).
cat > src/entry-points.ts <<'TS'
import type { PlatformModel } from 'ara-gen/compiler';
import { Platform } from 'ara-gen';
import { AsyncSinkWriter, createSink, type SinkConfig } from 'ara-gen/runtime';
export type Checked = [PlatformModel, Platform, AsyncSinkWriter<unknown>, typeof createSink, SinkConfig];
TS
npx tsc -p tsconfig.json --strict
CDK_OUTDIR=cdk.out node dist/app.js
node -e '
  const m = require("./cdk.out/manifest.json");
  const names = Object.entries(m.artifacts).filter(([, a]) => a.type === "aws:cloudformation:stack").map(([id, a]) => a.properties?.stackName ?? id).sort();
  const want = ["Reports", "mystore-dev-batch", "mystore-dev-foundations"];
  const missing = want.filter((n) => !names.includes(n));
  if (missing.length) { console.error(`check-cdk-app: not synthesized: ${missing.join(", ")} (got ${names.join(", ")})`); process.exit(1); }
  const reports = JSON.stringify(require("./cdk.out/Reports.template.json"));
  if (!/Fn::ImportValue/.test(reports)) { console.error("check-cdk-app: Reports does not reference the platform"); process.exit(1); }
'
echo "check-cdk-app: $tarball type-checks under strict in examples/cdk-app and synthesizes it"
