/**
 * Where a stack runs. Chosen in code with a `profile` prop, or for `npm run synth` through the
 * `WORKSHOP_PROFILE` environment variable.
 *
 * - `local`: minikube in class. External Services are NodePorts (minikube never assigns a
 *   LoadBalancer address), images are never pulled when present (the workshop builds some inside
 *   minikube's Docker), resources are small.
 * - `cloud`: a managed cluster. External Services are LoadBalancers, resources are doubled.
 */
export type Profile = 'local' | 'cloud';

/** The environment variable that selects the profile for `npm run synth`. */
export const PROFILE_ENV = 'WORKSHOP_PROFILE';

export const PROFILES: readonly Profile[] = ['local', 'cloud'];

/** What a profile decides for the objects of a stack. */
export interface ProfileSettings {
  /** Service type for anything reached from outside the cluster. */
  readonly externalServiceType: 'NodePort' | 'LoadBalancer';
  /** Factor applied to every container's requests and limits. */
  readonly resourceScale: number;
}

const SETTINGS: Record<Profile, ProfileSettings> = {
  local: { externalServiceType: 'NodePort', resourceScale: 1 },
  cloud: { externalServiceType: 'LoadBalancer', resourceScale: 2 },
};

export function profileSettings(profile: Profile): ProfileSettings {
  return SETTINGS[profile];
}

export function isProfile(value: unknown): value is Profile {
  return typeof value === 'string' && (PROFILES as readonly string[]).includes(value);
}

/** `WORKSHOP_PROFILE` names no profile: the person can fix it from the message. */
export class ProfileError extends Error {}

/**
 * The profile an app synthesizes for, from `WORKSHOP_PROFILE`: unset means `local`, anything unknown is
 * an error. `workshop-stacks synth --profile` sets it for the app it runs; an app of yours passes the
 * result to its StackCharts (`init`'s main.ts does), or the flag cannot reach it.
 */
export function profileFromEnv(env: NodeJS.ProcessEnv = process.env): Profile {
  const value = env[PROFILE_ENV];
  if (value === undefined || value === '') return 'local';
  if (!isProfile(value)) {
    throw new ProfileError(`${PROFILE_ENV} must be one of ${PROFILES.join(', ')}, got "${value}"`);
  }
  return value;
}
