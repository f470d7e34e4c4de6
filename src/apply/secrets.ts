import { KubeObject } from '../manifest';
import { MANAGED_BY } from '../manifest/labels';
import { DNS_1123_SUBDOMAIN, isDnsLabel } from '../manifest/names';

/**
 * A Secret to create or update from environment variables at apply time, so that credentials (the
 * tgr GitHub OAuth app's, for example) never land in `dist/`, in git or in the output.
 *
 * Written `[NAMESPACE/]NAME=KEY[:ENV_VAR][,KEY[:ENV_VAR]...]`: each key of the Secret takes the value
 * of the environment variable of the same name, or of `ENV_VAR` when given.
 * `tgr/tgr-github=CLIENT_ID,CLIENT_SECRET` and `tgr/tgr-github=CLIENT_ID:GITHUB_CLIENT_ID` are examples.
 */
export interface EnvSecretSpec {
  readonly name: string;
  /** Unset: the default namespace of the apply. */
  readonly namespace?: string;
  readonly keys: ReadonlyArray<{ readonly key: string; readonly env: string }>;
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses `[NAMESPACE/]NAME=KEY[:ENV_VAR],...`; throws with the reason on a malformed spec. */
export function parseEnvSecretSpec(text: string): EnvSecretSpec {
  const fail = (why: string): never => {
    throw new Error(
      `invalid secret spec "${text}": ${why} (expected [NAMESPACE/]NAME=KEY[:ENV_VAR][,KEY[:ENV_VAR]...])`,
    );
  };
  const eq = text.indexOf('=');
  if (eq < 0) fail('no "="');
  const target = text.slice(0, eq);
  const [namespace, name] = target.includes('/') ? target.split('/', 2) : [undefined, target];
  if (namespace !== undefined && !isDnsLabel(namespace)) fail(`namespace "${namespace}" is not a DNS label`);
  if (!DNS_1123_SUBDOMAIN.test(name) || name.length > 253) fail(`name "${name}" is not a DNS subdomain`);
  const keys = text
    .slice(eq + 1)
    .split(',')
    .map((entry) => {
      const [key, env = key] = entry.split(':', 2);
      if (!SECRET_KEY.test(key)) fail(`"${key}" is not a valid Secret key`);
      if (!ENV_NAME.test(env)) fail(`"${env}" is not an environment variable name`);
      return { key, env };
    });
  if (new Set(keys.map((k) => k.key)).size !== keys.length) fail('a key appears twice');
  return { name, namespace, keys };
}

/**
 * Builds the Secret from the environment. Values go into `data` (base64), not `stringData`: the server
 * turns `stringData` into `data`, so applying it again would never look unchanged. Returns the reasons
 * instead when a variable is unset or empty, naming the variable and never a value.
 */
export function secretFromEnv(
  spec: EnvSecretSpec,
  env: NodeJS.ProcessEnv,
): { object?: KubeObject; problems: string[] } {
  const problems = spec.keys
    .filter((k) => !env[k.env])
    .map((k) => `environment variable ${k.env} is ${env[k.env] === undefined ? 'not set' : 'empty'}`);
  if (problems.length > 0) return { problems };
  const data = Object.fromEntries(spec.keys.map((k) => [k.key, Buffer.from(env[k.env]!, 'utf8').toString('base64')]));
  return {
    problems: [],
    object: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: spec.name,
        ...(spec.namespace ? { namespace: spec.namespace } : {}),
        labels: { 'app.kubernetes.io/managed-by': MANAGED_BY },
      },
      type: 'Opaque',
      data,
    },
  };
}
