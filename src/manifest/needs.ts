import { ApiObject } from 'cdk8s';

/** A protocol of a connection, as Services and NetworkPolicies name it. */
export type TrafficProtocol = 'TCP' | 'UDP' | 'SCTP';

/**
 * The annotation that carries the connections a workload's app needs, on the workload's manifest, so
 * that `validate` over plain YAML checks them. Its value is a JSON array of {@link NeededFlowSpec}:
 *
 * ```json
 * [{"service":"rng","port":80},{"workload":"default/webconsole-*","port":5000},
 *  {"pods":"kube-system/k8s-app=kube-dns","port":53,"protocol":"UDP"},{"outside":true,"port":6443}]
 * ```
 */
export const NEEDS_ANNOTATION = 'workshop-stacks.io/needs';

/**
 * One needed connection as the annotation spells it: exactly one destination field, a port, a protocol.
 * - `service`: a Service, `name` (in the workload's namespace) or `namespace/name`; `port` is a port of
 *   the Service (number or name), checked against the pods it selects on its target port;
 * - `workload`: a workload of the manifests, `name`, `namespace/name` or `namespace/name[Kind]`; `port`
 *   is a container port (number or name);
 * - `pods`: pods by namespace and labels, `namespace/key=value,key=value`, for pods the manifests do not
 *   hold (kube-dns); `port` is a number;
 * - `cidr`: every address of the range, e.g. the API server's endpoints `192.168.49.2/32`;
 * - `outside: true`: some address outside the manifests, for a destination whose address they do not
 *   know (the API server of an unknown cluster, the internet).
 */
export interface NeededFlowSpec {
  readonly service?: string;
  readonly workload?: string;
  readonly pods?: string;
  readonly cidr?: string;
  readonly outside?: true;
  readonly port: number | string;
  /** @default 'TCP' */
  readonly protocol?: TrafficProtocol;
}

/** Where a needed connection goes, in code: a Service or workload by name or by construct, or addresses. */
export type NeedTarget =
  | { readonly service: string | { readonly name: string; readonly namespace: string } }
  | { readonly workload: string | { readonly name: string; readonly namespace: string } }
  | { readonly pods: PodsRef }
  | { readonly cidr: string }
  | { readonly outside: true };

/** Pods by namespace and labels, such as those of a cluster add-on. */
export interface PodsRef {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** The cluster DNS: `k8s-app: kube-dns` in `kube-system`, the labels kubeadm, minikube, GKE and EKS all use. */
export const CLUSTER_DNS_PODS: PodsRef = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

/** What every app that dials a Service by name needs: the cluster DNS, on UDP and TCP 53. */
export const DNS_NEEDS: readonly NeededFlow[] = (['UDP', 'TCP'] as const).map((protocol) => ({
  to: { pods: CLUSTER_DNS_PODS },
  port: 53,
  protocol,
}));

/** A connection an app needs. */
export interface NeededFlow {
  /** The destination. */
  readonly to: NeedTarget;
  /** A Service port for a `service`, else a container port (a number, or a port name). */
  readonly port: number | string;
  /**
   * Protocol of the connection.
   * @default 'TCP'
   */
  readonly protocol?: TrafficProtocol;
}

/**
 * Declares connections the pods of `workload` (its manifest, e.g. `AppWorkload.workload`) need, adding
 * to those declared before (once each). `validate` and the cdk8s plugin fail when a NetworkPolicy blocks one.
 */
export function declareNeeds(workload: ApiObject, needs: readonly NeededFlow[]): void {
  const current: string | undefined = workload.metadata.toJson().annotations?.[NEEDS_ANNOTATION];
  const all = [...(current ? parseNeeds(current) : []), ...needs.map(toSpec)].map((n) => JSON.stringify(n));
  // A need declared twice (two routes to one Service) is one need.
  workload.metadata.addAnnotation(NEEDS_ANNOTATION, `[${[...new Set(all)].join(',')}]`);
}

function toSpec(need: NeededFlow): NeededFlowSpec {
  const ref = (r: string | { name: string; namespace: string }) =>
    typeof r === 'string' ? r : `${r.namespace}/${r.name}`;
  const t = need.to;
  const to =
    'service' in t
      ? { service: ref(t.service) }
      : 'workload' in t
        ? { workload: ref(t.workload) }
        : 'pods' in t
          ? { pods: formatPodsRef(t.pods) }
          : 'cidr' in t
            ? { cidr: t.cidr }
            : { outside: true as const };
  return { ...to, port: need.port, ...(need.protocol && need.protocol !== 'TCP' ? { protocol: need.protocol } : {}) };
}

/** `namespace/key=value,key=value`. */
export function formatPodsRef(ref: PodsRef): string {
  return `${ref.namespace}/${Object.entries(ref.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}`;
}

/** The inverse of {@link formatPodsRef}; a clear error for anything else. */
export function parsePodsRef(text: string): PodsRef {
  const slash = text.indexOf('/');
  const pairs =
    slash > 0
      ? text
          .slice(slash + 1)
          .split(',')
          .filter(Boolean)
          .map((p) => p.split('='))
      : [];
  if (slash <= 0 || pairs.length === 0 || pairs.some((p) => p.length !== 2 || !p[0]))
    throw new Error(`pods must be namespace/key=value[,key=value], got "${text}"`);
  return { namespace: text.slice(0, slash), labels: Object.fromEntries(pairs) };
}

const TARGETS = ['service', 'workload', 'pods', 'cidr', 'outside'] as const;
const PROTOCOL_NAMES = ['TCP', 'UDP', 'SCTP'];

/** Parses the annotation's value; a clear error naming the entry for anything malformed. */
export function parseNeeds(text: string): NeededFlowSpec[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) throw new Error('must be a JSON array of needed connections');
  return value.map((entry, i) => {
    const e = entry as Record<string, unknown>;
    const fail = (why: string) => {
      throw new Error(`entry ${i}: ${why}`);
    };
    if (!e || typeof e !== 'object') fail('must be an object');
    const targets = TARGETS.filter((k) => e[k] !== undefined);
    if (targets.length !== 1) fail(`needs exactly one of ${TARGETS.join(', ')}`);
    if (targets[0] === 'outside' ? e.outside !== true : typeof e[targets[0]] !== 'string')
      fail(`${targets[0]} must be ${targets[0] === 'outside' ? 'true' : 'a string'}`);
    if (
      !(typeof e.port === 'string' && e.port !== '') &&
      !(Number.isInteger(e.port) && (e.port as number) >= 1 && (e.port as number) <= 65535)
    )
      fail('port must be 1-65535 or a port name');
    if (e.protocol !== undefined && !PROTOCOL_NAMES.includes(e.protocol as string))
      fail(`protocol must be one of ${PROTOCOL_NAMES.join(', ')}`);
    if ((targets[0] === 'pods' || targets[0] === 'cidr' || targets[0] === 'outside') && typeof e.port !== 'number')
      fail(`the port of a ${targets[0]} need must be a number`);
    if (targets[0] === 'pods') {
      try {
        parsePodsRef(e.pods as string);
      } catch (error) {
        fail((error as Error).message);
      }
    }
    return e as unknown as NeededFlowSpec;
  });
}
