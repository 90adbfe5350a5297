/**
 * Reads the stacks of a synthesized cloud assembly directly from `manifest.json` and the template
 * files: the failure mapping and the retained-resource listing need nothing more, and plain JSON
 * reading keeps them usable on any assembly (ours or hand-written) without loading the CDK.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface AssemblyStack {
  /** Artifact id in the manifest. */
  readonly id: string;
  /** CloudFormation stack name. */
  readonly stackName: string;
  readonly templateFile: string;
  readonly resources: Readonly<Record<string, TemplateResource>>;
  /** Construct-path metadata of the artifact: path → entries (`aws:cdk:logicalId`, ...). */
  readonly metadata: Readonly<Record<string, readonly { type: string; data?: unknown }[]>>;
}

interface ManifestArtifact {
  type: string;
  properties?: { templateFile?: string; stackName?: string };
  metadata?: Record<string, { type: string; data?: unknown }[]>;
  /** Newer assemblies keep the construct metadata in a file of its own. */
  additionalMetadataFile?: string;
  displayName?: string;
}

export function readAssemblyStacks(dir: string): AssemblyStack[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { artifacts?: Record<string, ManifestArtifact> };
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const templateFile = artifact.properties.templateFile;
    const template = JSON.parse(readFileSync(join(dir, templateFile), 'utf8')) as { Resources?: Record<string, TemplateResource> };
    stacks.push({
      id,
      stackName: artifact.properties.stackName ?? id,
      templateFile,
      resources: template.Resources ?? {},
      metadata: {
        ...artifact.metadata,
        ...(artifact.additionalMetadataFile
          ? (JSON.parse(readFileSync(join(dir, artifact.additionalMetadataFile), 'utf8')) as ManifestArtifact['metadata'])
          : {}),
      },
    });
  }
  return stacks;
}

/**
 * Resolves `--stack` values (a stack name such as `mystore-dev-batch` or a module such as `batch`)
 * to assembly stacks. Returns the unknown value, if any, for a did-you-mean message.
 */
export function resolveStacks(stacks: readonly AssemblyStack[], wanted: readonly string[]): { selected: AssemblyStack[]; unknown?: string } {
  if (!wanted.length) return { selected: [...stacks] };
  const selected: AssemblyStack[] = [];
  for (const w of wanted) {
    const match = stacks.find((s) => s.stackName === w || s.id === w || s.stackName.endsWith(`-${w}`));
    if (!match) return { selected, unknown: w };
    if (!selected.includes(match)) selected.push(match);
  }
  return { selected };
}
