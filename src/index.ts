/**
 * Typed cdk8s constructs for the Kubernetes workshop stacks, and the building blocks they are made of.
 *
 * The package root holds what a cdk8s app composes with. The checks (`workshop-stacks/checks`), the
 * NetworkPolicy analysis (`workshop-stacks/traffic`) and the apply engine (`workshop-stacks/apply`) are
 * entry points of their own: importing the root loads none of the apply engine nor its Kubernetes client.
 *
 * @packageDocumentation
 */

// The stacks.
export { Dockercoins, type DockercoinsProps } from '../constructs/dockercoins';
export { WebConsole, type WebConsoleProps } from '../constructs/webconsole';
export { WebConsoleJob, type WebConsoleJobProps } from '../constructs/webconsole-job';
export { ConsoleHub, type ConsoleHubProps, type ConsoleHubFlavour } from '../constructs/consolehub';
export { ApiGateway, type ApiGatewayProps } from '../constructs/api-gateway';
export { TrendingRepos, type TrendingReposProps } from '../constructs/trending-repos';
export {
  type GatewayRoute,
  type ResolvedRoute,
  type Upstream,
  type ServiceReference,
  type RetryCondition,
  type RouteRetries,
} from '../constructs/gateway-route';
export { EnvoyGateway, type EnvoyGatewaySpec } from '../constructs/envoy-gateway';
export { GatewayApiRoutes, type GatewayApiProps, type GatewayApiRoutesSpec } from '../constructs/gateway-api-routes';
export { AttendeeNamespace, type AttendeeNamespaceProps, type AttendeeStacks } from '../constructs/attendee-namespace';
export {
  Classroom,
  type ClassroomProps,
  type ClassroomAttendees,
  type ClassroomAdminIsolation,
} from '../constructs/classroom';
export {
  PROJECT_IMAGES,
  PROJECT_IMAGE_REGISTRY,
  PROJECT_IMAGE_TAG,
  projectImageSource,
  type ProjectImageSource,
} from '../constructs/images';
export {
  type AttendeeQuota,
  type AttendeeAccess,
  type ClassroomApiGatewayProps,
  type ClassroomStacks,
} from '../constructs/attendee-props';

// Charts and the base of every stack construct.
export { StackChart, type StackChartProps, type StackPlacementProps, type StackContext } from './stack-chart';
export { StackConstruct, type WorkshopImageProps } from './stack-construct';
export { type Profile, type ProfileSettings, PROFILES, ProfileError, profileSettings, profileFromEnv } from './profile';

// Building blocks.
export {
  AppWorkload,
  restrictKplusWorkload,
  type AppWorkloadProps,
  type WorkloadServiceProps,
  type ServiceEndpoint,
  type NodePortSetting,
} from './workload';
export { NetworkTraffic, type PodGroup, type TrafficPort, type AllowOptions } from './network-traffic';
export {
  restrictedPodSpec,
  PROBE_DEFAULTS,
  type RestrictedPodProps,
  type NamedPort,
  type ProbeSpec,
  type WritablePath,
} from './pod';
export {
  restrictedNamespace,
  guardNamespace,
  clusterScoped,
  type NamespaceMetadata,
  type NamespaceQuota,
  type NamespaceGuard,
} from './namespace';
export {
  grantNamespacedRole,
  bindRoleInNamespace,
  type NamespacedRoleProps,
  type NamespacedRoleBindingProps,
  type ServiceAccountSubject,
} from './rbac';
export { restrictedPodSecurityContext, restrictedContainerSecurityContext, type RunAs } from './security';
export {
  toResourceRequirements,
  type ResourceSpec,
  type RequestAndLimit,
  type CpuAmount,
  type SizeAmount,
} from './resources';
export { PropsValidator } from './props-validator';
export { PropsValidationError } from './props-error';
export { synthYaml } from './synth';

// What constructs declare on their objects for the checks: exceptions, external references, needed connections.
export { declareException, declareExternal } from './manifest/exceptions';
export {
  declareNeeds,
  CLUSTER_DNS_PODS,
  DNS_NEEDS,
  type NeededFlow,
  type NeedTarget,
  type PodsRef,
  type TrafficProtocol,
} from './manifest/needs';

// The cdk8s validation plugin (cdk8s.yaml names this package and the class).
export { WorkshopStacksValidation, type ValidationContext } from './checks/plugin';
export type { ValidateOptions, CheckKind } from './checks/validate';
export type { KubeObject } from './manifest/kube-object';
