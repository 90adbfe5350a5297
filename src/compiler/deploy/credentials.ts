/**
 * Offline check that some AWS credential source is configured, so that `deploy`, `destroy` and
 * `diff` can stop with one clear sentence before the toolkit makes any network call. Mirrors the
 * order of the AWS SDK's default chain; it does not validate the credentials (only AWS can).
 *
 * The EC2 instance-metadata service is the one source that needs the network: it is consulted
 * only when AWS_EC2_METADATA_DISABLED is not `true`, since users on EC2 legitimately rely on it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type CredentialCheck =
  | { readonly found: true; /** Where the credentials come from, for progress output. */ readonly source: string }
  | { readonly found: false; /** One sentence: what is missing and how to fix it. */ readonly message: string };

export interface CredentialCheckOptions {
  /** Probe of the instance-metadata service (injectable for tests); resolves true when it answers. */
  readonly probeInstanceMetadata?: (timeoutMs: number) => Promise<boolean>;
  /** Command named in the message, e.g. `deploy`. */
  readonly command?: string;
}

/** Keys that make a shared-config profile a credential source of its own. */
const PROFILE_CREDENTIAL_KEYS = [
  'aws_access_key_id',
  'role_arn',
  'credential_process',
  'sso_session',
  'sso_start_url',
  'web_identity_token_file',
  'login_session',
];

export async function checkCredentials(env: NodeJS.ProcessEnv = process.env, options: CredentialCheckOptions = {}): Promise<CredentialCheck> {
  const set = (name: string): boolean => Boolean(env[name] && env[name]!.trim());

  if (set('AWS_ACCESS_KEY_ID') && set('AWS_SECRET_ACCESS_KEY')) return { found: true, source: 'environment variables (AWS_ACCESS_KEY_ID)' };
  if (set('AWS_ACCESS_KEY_ID') !== set('AWS_SECRET_ACCESS_KEY')) {
    const missing = set('AWS_ACCESS_KEY_ID') ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID';
    return { found: false, message: `AWS credentials are incomplete: ${missing} is not set, so set it beside the other key or unset both and use a profile.` };
  }
  if (set('AWS_WEB_IDENTITY_TOKEN_FILE') && set('AWS_ROLE_ARN')) return { found: true, source: 'web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)' };
  if (set('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI') || set('AWS_CONTAINER_CREDENTIALS_FULL_URI')) {
    return { found: true, source: 'container credentials (AWS_CONTAINER_CREDENTIALS_*)' };
  }

  const home = env.HOME || env.USERPROFILE || homedir();
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials');
  const configFile = env.AWS_CONFIG_FILE || join(home, '.aws', 'config');
  const explicitProfile = env.AWS_PROFILE?.trim() || undefined;
  const profile = explicitProfile ?? 'default';
  const fromCredentials = readIni(credentialsFile).get(profile);
  const config = readIni(configFile);
  const fromConfig = config.get(profile === 'default' ? 'default' : `profile ${profile}`) ?? (profile === 'default' ? config.get('profile default') : undefined);
  const merged = { ...fromConfig, ...fromCredentials };
  if (PROFILE_CREDENTIAL_KEYS.some((k) => merged[k])) {
    if (merged.aws_access_key_id && !merged.aws_secret_access_key) {
      return { found: false, message: `AWS profile '${profile}' has aws_access_key_id but no aws_secret_access_key, so add it to ${credentialsFile}.` };
    }
    return { found: true, source: `profile '${profile}' (${fromCredentials ? credentialsFile : configFile})` };
  }
  if (explicitProfile) {
    const known = (fromCredentials || fromConfig) !== undefined;
    return {
      found: false,
      message: known
        ? `AWS profile '${profile}' (AWS_PROFILE) holds no credentials (no keys, role, SSO or credential_process) in ${credentialsFile} or ${configFile}, so configure it with 'aws configure --profile ${profile}'.`
        : `AWS profile '${profile}' (AWS_PROFILE) is not defined in ${credentialsFile} or ${configFile}, so fix AWS_PROFILE or configure it with 'aws configure --profile ${profile}'.`,
    };
  }

  if (env.AWS_EC2_METADATA_DISABLED?.trim().toLowerCase() !== 'true') {
    const probe = options.probeInstanceMetadata ?? probeInstanceMetadata;
    if (await probe(1000)) return { found: true, source: 'EC2 instance metadata' };
  }

  const verb = options.command ? `'ara-gen ${options.command}'` : 'this command';
  return {
    found: false,
    message: `No AWS credentials found, so ${verb} cannot reach AWS: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE naming a profile in ${configFile}, and run it again.`,
  };
}

/** Minimal INI reader for the AWS shared files: section name → key → value (missing file = empty). */
export function readIni(file: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  if (!existsSync(file)) return sections;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return sections;
  }
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      const name = header[1]!.replace(/\s+/g, ' ');
      current = sections.get(name) ?? {};
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current && eq > 0) {
      const value = line.slice(eq + 1).trim();
      if (value) current[line.slice(0, eq).trim().toLowerCase()] = value;
    }
  }
  return sections;
}

/** IMDSv2 token request with a short timeout: true when the metadata service answers. */
export async function probeInstanceMetadata(timeoutMs: number): Promise<boolean> {
  // Loaded here, not with the module: node:http costs ~7 ms that every synth would pay (this module
  // comes with the deploy support the synth command shares), and only an EC2 probe needs it.
  const { request } = await import('node:http');
  return new Promise((resolve) => {
    const req = request(
      {
        host: '169.254.169.254',
        path: '/latest/api/token',
        method: 'PUT',
        headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
