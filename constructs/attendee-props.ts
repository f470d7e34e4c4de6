import { CpuAmount, RequestAndLimit, SizeAmount } from '../src/resources';
import { ApiGatewayProps } from './api-gateway';
import { ConsoleHubProps } from './consolehub';
import { DockercoinsProps } from './dockercoins';
import { TrendingReposProps } from './trending-repos';
import { WebConsoleProps } from './webconsole';

// What a Classroom gives each attendee, shared by Classroom (which takes them as props) and AttendeeNamespace
// (which builds them), so that neither imports the other for its types.

/** What one attendee may use in all, over every pod in their namespace (a ResourceQuota). */
export interface AttendeeQuota {
  /**
   * CPU of all the attendee's pods together: the sum of their requests and of their limits (scaled by
   * the profile, as every container's resources are).
   * @default { request: '1', limit: '8' }
   */
  readonly cpu?: RequestAndLimit<CpuAmount>;
  /**
   * Memory of all the attendee's pods together (scaled by the profile).
   * @default { request: '1Gi', limit: '4Gi' }
   */
  readonly memory?: RequestAndLimit<SizeAmount>;
  /**
   * Pods.
   * @default 25
   */
  readonly pods?: number;
  /**
   * Services.
   * @default 10
   */
  readonly services?: number;
  /**
   * Jobs.
   * @default 5
   */
  readonly jobs?: number;
}

/** What the attendees may do in their namespace (and nowhere else). */
export type AttendeeAccess = 'edit' | 'workshop';

/** The workshop's API gateway in front of tgr, for each attendee: the route `/` -> `tgr:5000`. */
export interface ClassroomApiGatewayProps {
  /**
   * The gateway; its node port is assigned by the cluster.
   * @default the ApiGateway defaults
   */
  readonly gateway?: Omit<ApiGatewayProps, 'namespace' | 'profile' | 'nodePort' | 'routes' | 'gatewayApi'>;
  /**
   * tgr. Its credentials Secret must be created in each attendee's namespace.
   * @default the TrendingRepos defaults
   */
  readonly tgr?: Omit<TrendingReposProps, 'namespace' | 'profile'>;
}

/** The stacks deployed for each attendee, in their namespace, with the constructs' own props (`true`: defaults). */
export interface ClassroomStacks {
  /**
   * dockercoins; its webui's node port is assigned by the cluster.
   * @default none
   */
  readonly dockercoins?: Omit<DockercoinsProps, 'namespace' | 'profile' | 'webuiNodePort'> | true;
  /**
   * webconsole; its node port is assigned by the cluster.
   * @default none
   */
  readonly webconsole?: Omit<WebConsoleProps, 'namespace' | 'profile' | 'nodePort'> | true;
  /**
   * The API gateway and tgr.
   * @default none
   */
  readonly apiGateway?: ClassroomApiGatewayProps | true;
  /**
   * consolehub, with its users' Jobs in the attendee's namespace: this needs a hub image that creates
   * them there (the workshop's hard-codes `default`). Its own guard rails are off: the attendee's
   * quota and LimitRange bound the hub's users' pods. `maxSessions` is how many consoles the quota
   * must have room for (2 unless set).
   * @default none
   */
  readonly consolehub?:
    Omit<ConsoleHubProps, 'namespace' | 'profile' | 'nodePort' | 'jobsNamespace' | 'guardRails'> | true;
}
