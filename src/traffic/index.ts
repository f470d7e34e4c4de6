// The public API of the traffic analysis; the address and port arithmetic stays internal.
export { ConnectionSet, type TrafficProtocol } from './ports';
export type { IpRange } from './ip';
export {
  type AdminAction,
  type AdminPeer,
  type AdminPolicy,
  type AdminPort,
  type AdminRule,
  adminPoliciesOf,
  type Direction,
  type Policy,
  type PolicyPeer,
  type PolicyPort,
  type PolicyRule,
  type TrafficWorkload,
  type WorkloadPort,
  policiesOf,
  workloadId,
  workloadsOf,
} from './model';
export {
  type Connection,
  type Endpoint,
  type Reach,
  type PeerRef,
  type PodLike,
  TrafficModel,
  analyzeTraffic,
  focusFilter,
  focusOn,
  focusedWorkloads,
  trafficConnections,
  formatConnection,
  formatSelector,
} from './analyze';
export {
  type ConnectionChange,
  DIFF_FORMATS,
  TRAFFIC_FORMATS,
  type TrafficFormat,
  diffConnections,
  exposureText,
  formatConnectionParts,
  formatConnections,
  formatDiff,
  formatExposureParts,
} from './format';
export { type Exposure, INGRESS_CONTROLLER, exposuresOf } from './ingress';
export { ENTIRE_CLUSTER, type ExposureLine, type ExposureReport, type WorkloadEnd, exposureOf } from './exposure';
export {
  CLUSTER_DNS_PODS,
  DNS_NEEDS,
  NEEDS_ANNOTATION,
  type NeedTarget,
  type NeededFlow,
  type NeededFlowSpec,
  type PodsRef,
  declareNeeds,
  formatPodsRef,
  parseNeeds,
  parsePodsRef,
} from '../manifest/needs';
export {
  checkAttendeeBoundaries,
  checkExposureBeyondNeeds,
  checkIpBlocks,
  checkNeededFlows,
  checkTraffic,
} from './needs-check';
export { JOBS_NAMESPACE_ANNOTATION, JOB_TEMPLATE_KEY, TEMPLATE_JOBS_NAME } from '../manifest/labels';
export { POLICY_API_VERSION, type KubeObject } from '../manifest/kube-object';
export type { LabelSelectorSpec } from '../manifest/selector';
export type { Finding } from '../manifest/finding';
