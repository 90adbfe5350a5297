/**
 * @aws-cdk/toolkit-lib requires twenty AWS SDK clients when it loads (EC2, ECS, AppSync, Bedrock,
 * Route 53, ... : about 0.4 s of CPU, the EC2 client alone 2 MB of JavaScript), because its SDK
 * wrapper offers a method for each. An ara-gen diff, deploy or destroy talks to four services at
 * most (CloudFormation, S3, STS, SSM). Once `deferToolkitSdkClients()` ran, each client module
 * toolkit-lib requires is handed to it as a stand-in that loads the real module at its first use:
 * the same module object for every access after that, only later, or never.
 *
 * toolkit-lib is compiled by tsc to CommonJS and reads these modules through their namespace
 * (`client_ec2_1.EC2Client`), so the stand-in is not touched before a client is needed. Any other
 * way of reading the namespace (destructuring, `in`, enumeration) loads the module right then:
 * correctness never depends on laziness. Only requests of `@aws-sdk/client-*` made by files inside
 * @aws-cdk/toolkit-lib are affected; it must run before toolkit-lib loads to save anything.
 */
import Module from 'node:module';
import { sep } from 'node:path';

type Load = (request: string, parent: { filename?: string | null } | undefined, isMain: boolean) => unknown;

const CLIENT = /^@aws-sdk\/client-[a-z0-9-]+$/;
const TOOLKIT_DIR = `${sep}node_modules${sep}@aws-cdk${sep}toolkit-lib${sep}`;
let installed = false;

export function deferToolkitSdkClients(): void {
  if (installed) return;
  installed = true;
  const loader = Module as unknown as { _load: Load };
  const load = loader._load;
  loader._load = function (this: unknown, request, parent, isMain) {
    if (CLIENT.test(request) && parent?.filename?.includes(TOOLKIT_DIR)) {
      return onFirstUse(() => load.call(this, request, parent, isMain) as object);
    }
    return load.call(this, request, parent, isMain);
  };
}

/** A namespace object that loads the real one when anything reads it. */
function onFirstUse(load: () => object): object {
  let real: object | undefined;
  const target = () => (real ??= load());
  return new Proxy(Object.create(null) as object, {
    get: (_, key) => Reflect.get(target(), key),
    has: (_, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    // A proxy may only describe a property its (empty) target lacks as configurable.
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(target(), key);
      return d && { ...d, configurable: true };
    },
  });
}
