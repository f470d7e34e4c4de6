import { App } from 'cdk8s';
import { Profile } from '../src/profile';
import { apiGatewayApp } from './api-gateway';
import { consolehubApp } from './consolehub';
import { dockercoinsApp } from './dockercoins';
import { webconsoleApp } from './webconsole';

/**
 * Adds one stack's chart(s) to an app. A copy of the stack puts its charts in namespaces (and chart
 * ids) ending in `namespaceSuffix`, so that many copies can share one App and one cluster.
 */
export type StackBuilder = (app: App, profile: Profile, namespaceSuffix: string) => void;

/**
 * Every stack of the full workshop, as one copy of it runs on a cluster. A new stack goes here once
 * its app builder honours the namespace suffix; the scale benchmark builds from this list. (A
 * Classroom does not: it puts all of an attendee's stacks in one namespace, with the constructs.)
 */
export const WORKSHOP_STACKS: Readonly<Record<string, StackBuilder>> = {
  dockercoins: dockercoinsApp,
  webconsole: webconsoleApp,
  consolehub: consolehubApp,
  'api-gateway': apiGatewayApp,
};

/** Adds one copy of the full workshop to `app`, every namespace suffixed with `namespaceSuffix`. */
export function addWorkshop(app: App, profile: Profile, namespaceSuffix = ''): void {
  for (const build of Object.values(WORKSHOP_STACKS)) build(app, profile, namespaceSuffix);
}
