// The public API of the traffic analysis; the address and port arithmetic stays internal.
export { ConnectionSet, type TrafficProtocol } from './ports';
export type { IpRange } from './ip';
export {
  type AdminAction, type AdminPeer, type AdminPolicy, type AdminPort, type AdminRule, POLICY_API_VERSION, adminPoliciesOf, type Direction, JOBS_NAMESPACE_ANNOTATION, JOB_TEMPLATE_KEY, TEMPLATE_JOBS_NAME, type Policy, type PolicyPeer, type PolicyPort, type PolicyRule,
  type TrafficWorkload, type WorkloadPort, policiesOf, workloadId, workloadsOf,
} from './model';
export {
  type Connection, type Endpoint, type PeerRef, type PodLike, TrafficModel, analyzeTraffic, focusFilter, focusOn, focusedWorkloads, trafficConnections, formatConnection, formatSelector,
} from './analyze';
export { type Exposure, INGRESS_CONTROLLER, exposuresOf } from './ingress';
export { ENTIRE_CLUSTER, type ExposureLine, type ExposureReport, exposureOf } from './exposure';
export { type ConnectionChange, DIFF_FORMATS, TRAFFIC_FORMATS, type TrafficFormat, diffConnections, exposureText, formatConnectionParts, formatConnections, formatDiff, formatExposureParts } from './format';
export {
  CLUSTER_DNS_PODS, DNS_NEEDS, NEEDS_ANNOTATION, type NeedTarget, type NeededFlow, type NeededFlowSpec, type PodsRef, declareNeeds, formatPodsRef, parseNeeds, parsePodsRef,
} from './needs';
export { checkAttendeeBoundaries, checkExposureBeyondNeeds, checkIpBlocks, checkNeededFlows, checkTraffic } from './needs-check';
