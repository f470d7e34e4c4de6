import { Finding, finding } from '../manifest/finding';
import { matchesSelector } from '../manifest/selector';
import { ATTENDEE_LABEL } from '../manifest/labels';
import { KubeObject } from '../manifest';
import { PodLike, TrafficModel, formatSelector } from './analyze';
import { exposureOf, selectorPeerName } from './exposure';
import { IpRange, overlaps, parseCidr } from './ip';
import { Direction, NAMESPACE_NAME_LABEL, TrafficWorkload, workloadId } from './model';
import { NEEDS_ANNOTATION, NeededFlowSpec, parseNeeds, parsePodsRef } from '../manifest/needs';
import { ConnectionSet, TrafficProtocol } from './ports';

/**
 * The traffic checks of `validate`: every connection a workload declares it needs
 * ({@link NEEDS_ANNOTATION}) is allowed by the NetworkPolicies, and no connection crosses from one
 * attendee's namespace (labelled {@link ATTENDEE_LABEL}) to another's.
 */
export function checkTraffic(objects: readonly KubeObject[]): Finding[] {
  const model = new TrafficModel(objects);
  return [
    ...checkIpBlocks(model),
    ...checkNeededFlows(objects, model),
    ...checkExposureBeyondNeeds(model),
    ...checkAttendeeBoundaries(objects, model),
  ];
}

/**
 * A workload that declares its needs ({@link NEEDS_ANNOTATION}) and whose egress policies isolate is
 * exposed on egress to no more than them: every connection the exposure analysis shows it may open
 * outside the manifests (to the entire cluster, to pods by selector) is one a need names. Egress no
 * policy isolates is not checked: the stacks render no policies when asked not to. A need of
 * addresses (`cidr`, `outside`) covers its port to any peer, as a rule without peers is how addresses
 * the manifests cannot know are reached; a need of pods covers the selector peer naming exactly them.
 * Needs that do not parse are reported by {@link checkNeededFlows}.
 */
export function checkExposureBeyondNeeds(model: TrafficModel): Finding[] {
  const report = exposureOf(model);
  const needsOf = new Map<string, { workload: TrafficWorkload; needs: NeededFlowSpec[] }>();
  for (const w of model.workloads) {
    const text = w.annotations[NEEDS_ANNOTATION];
    if (text === undefined || needsOf.has(workloadId(w))) continue;
    try {
      needsOf.set(workloadId(w), { workload: w, needs: parseNeeds(text) });
    } catch {
      // checkNeededFlows reports it.
    }
  }
  const at = (w: TrafficWorkload, message: string) =>
    finding(w.object, `metadata.annotations.${NEEDS_ANNOTATION}`, 'traffic/exposure-beyond-needs', message);
  return report.egress.flatMap((line) => {
    const declared = needsOf.get(line.workload);
    if (
      !declared ||
      line.isAddress ||
      report.unprotected.some((u) => u.workload === line.workload && u.direction === 'Egress')
    )
      return [];
    let covered = ConnectionSet.NONE;
    for (const need of declared.needs) {
      if (typeof need.port !== 'number') continue;
      const pods = need.pods !== undefined ? podsPeerName(need.pods) : undefined;
      if (need.cidr !== undefined || need.outside || (pods !== undefined && pods === line.peer))
        covered = covered.union(ConnectionSet.ports(need.protocol ?? 'TCP', need.port));
    }
    const beyond = line.conn.minus(covered);
    return beyond.isEmpty
      ? []
      : [
          at(
            declared.workload,
            `${line.workload} => ${line.peer} : ${beyond} is allowed but no need declares it: narrow the egress rule that allows it`,
          ),
        ];
  });
}

/** The exposure analysis's name of the pods a need names (`ns/[pod with {k=v}]`), if they parse. */
function podsPeerName(text: string): string | undefined {
  try {
    const ref = parsePodsRef(text);
    return selectorPeerName({ matchLabels: { [NAMESPACE_NAME_LABEL]: ref.namespace } }, { matchLabels: ref.labels });
  } catch {
    return undefined;
  }
}

/** Every ipBlock CIDR is one: the API server rejects a policy with any other, and the analysis cannot place it. */
export function checkIpBlocks(model: TrafficModel): Finding[] {
  return model.policies.flatMap((policy) =>
    (['Ingress', 'Egress'] as const).flatMap((direction) =>
      policy.rules[direction].flatMap((rule, i) =>
        (rule.peers ?? []).flatMap((peer, j) => {
          const base = `spec.${direction.toLowerCase()}[${i}].${direction === 'Ingress' ? 'from' : 'to'}[${j}].ipBlock`;
          return [
            [`${base}.cidr`, peer.ipBlock?.cidr],
            ...(peer.ipBlock?.except ?? []).map((e, k) => [`${base}.except[${k}]`, e]),
          ]
            .filter(([, cidr]) => cidr !== undefined && !isCidr(cidr))
            .map(([field, cidr]) =>
              finding(policy.object, field!, 'traffic/ip-block', `"${cidr}" is not a CIDR such as 10.0.0.0/8`),
            );
        }),
      ),
    ),
  );
}

function isCidr(text: string): boolean {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}

/** Every declared need of every workload, checked against the policies. */
export function checkNeededFlows(
  objects: readonly KubeObject[],
  model: TrafficModel = new TrafficModel(objects),
): Finding[] {
  return model.workloads.flatMap((w) => {
    const text = w.annotations[NEEDS_ANNOTATION];
    if (text === undefined) return [];
    const field = `metadata.annotations.${NEEDS_ANNOTATION}`;
    const at = (message: string, index?: number): Finding =>
      finding(w.object, index === undefined ? field : `${field}[${index}]`, 'traffic/needed-flow', message);
    let needs: NeededFlowSpec[];
    try {
      needs = parseNeeds(text);
    } catch (error) {
      return [at(`${workloadId(w)}: ${(error as Error).message}`)];
    }
    return needs.flatMap((need, i) => checkNeed(model, w, need).map((message) => at(message, i)));
  });
}

/** What is wrong with one need: nothing when the policies allow it to every pod it goes to. */
function checkNeed(model: TrafficModel, src: TrafficWorkload, need: NeededFlowSpec): string[] {
  const protocol = need.protocol ?? 'TCP';
  const from = model.pod(src);
  const srcId = workloadId(src);
  if (need.cidr !== undefined || need.outside) {
    const required = ConnectionSet.ports(protocol, need.port as number);
    let range: IpRange | undefined;
    try {
      range = need.cidr !== undefined ? parseCidr(need.cidr) : undefined;
    } catch (error) {
      return [(error as Error).message];
    }
    // Policies allow alike within a piece, so the pieces a range overlaps tell about all its addresses.
    const pieces = model.ipPieces.filter((p) => !range || overlaps(p, range));
    const allows = (p: IpRange) => model.allowed(from, 'Egress', { ip: p }).contains(required);
    const ok = range ? pieces.every(allows) : pieces.some(allows);
    const to = range ? need.cidr! : 'any address outside the manifests';
    return ok ? [] : [`${srcId} => ${to} : ${required} is needed but blocked: ${egressBlame(model, from, srcId)}`];
  }
  if (need.pods !== undefined) {
    const ref = parsePodsRef(need.pods);
    const required = ConnectionSet.ports(protocol, need.port as number);
    // Pods the manifests may not hold: their namespace's policies count if it is in the manifests.
    const pod: PodLike = {
      namespace: ref.namespace,
      namespaceLabels: model.namespaces.get(ref.namespace) ?? { [NAMESPACE_NAME_LABEL]: ref.namespace },
      labels: ref.labels,
      ports: [],
    };
    return blocked(
      model,
      { id: srcId, pod: from },
      { id: `${ref.namespace}/[pod with ${formatSelector({ matchLabels: ref.labels })}]`, pod },
      required,
    );
  }
  const targets = need.service !== undefined ? serviceTargets(model, src, need) : workloadTargets(model, src, need);
  if (typeof targets === 'string') return [targets];
  return targets.flatMap(({ dst, port }) =>
    blocked(
      model,
      { id: srcId, pod: from },
      { id: workloadId(dst), pod: model.pod(dst) },
      ConnectionSet.ports(protocol, port),
    ),
  );
}

/** Nothing when `required` may flow from `src` to `dst`; else what blocks it, on either side. */
function blocked(
  model: TrafficModel,
  src: { id: string; pod: PodLike },
  dst: { id: string; pod: PodLike },
  required: ConnectionSet,
): string[] {
  if (model.between(src.pod, dst.pod).contains(required)) return [];
  const why = [
    ...(model.allowed(src.pod, 'Egress', { pod: dst.pod }).contains(required)
      ? []
      : [egressBlame(model, src.pod, src.id)]),
    ...(model.allowed(dst.pod, 'Ingress', { pod: src.pod }).contains(required)
      ? []
      : [blame(model, dst.pod, dst.id, 'Ingress', `admits ${src.id}`)]),
  ];
  return [`${src.id} => ${dst.id} : ${required} is needed but blocked: ${why.join('; ')}`];
}

function egressBlame(model: TrafficModel, pod: PodLike, id: string): string {
  return blame(model, pod, id, 'Egress', 'allows it');
}

/** Names the policies that isolate `pod` in `direction` and says none of their rules allows the need. */
function blame(model: TrafficModel, pod: PodLike, id: string, direction: Direction, what: string): string {
  const names = model.selecting(pod, direction).map((p) => `${p.namespace}/${p.name}`);
  return `no ${direction.toLowerCase()} rule ${what} (NetworkPolicies selecting ${id} for ${direction}: ${names.join(', ')}): add one`;
}

type Targets = Array<{ dst: TrafficWorkload; port: number }> | string;

/** The pods behind a Service, each with the container port the Service's port targets. */
function serviceTargets(model: TrafficModel, src: TrafficWorkload, need: NeededFlowSpec): Targets {
  const [namespace, name] = need.service!.includes('/') ? need.service!.split('/', 2) : [src.namespace, need.service!];
  const svc = model.services.get(`${namespace}/${name}`);
  if (!svc) return `needs Service ${namespace}/${name}, which is not in the manifests`;
  const spec = (svc.spec ?? {}) as {
    selector?: Record<string, string>;
    ports?: Array<{ name?: string; port: number; targetPort?: number | string; protocol?: TrafficProtocol }>;
  };
  const protocol = need.protocol ?? 'TCP';
  const port = (spec.ports ?? []).find(
    (p) =>
      (typeof need.port === 'number' ? p.port === need.port : p.name === need.port) &&
      (p.protocol ?? 'TCP') === protocol,
  );
  if (!port) return `Service ${namespace}/${name} has no ${protocol} port ${need.port}`;
  if (!spec.selector || Object.keys(spec.selector).length === 0)
    return `Service ${namespace}/${name} has no selector: its endpoints cannot be checked`;
  const dsts = model.workloadsIn(namespace).filter((w) => matchesSelector({ matchLabels: spec.selector }, w.labels));
  if (dsts.length === 0) return `Service ${namespace}/${name} selects no workload of the manifests`;
  return resolvePorts(dsts, port.targetPort ?? port.port, protocol);
}

function workloadTargets(model: TrafficModel, src: TrafficWorkload, need: NeededFlowSpec): Targets {
  const ref = need.workload!;
  const qualified = ref.includes('/') ? ref : `${src.namespace}/${ref}`;
  const dsts = model
    .workloadsIn(qualified.split('/')[0])
    .filter((w) => `${w.namespace}/${w.name}` === qualified || workloadId(w) === qualified);
  if (dsts.length === 0) return `needs workload ${qualified}, which is not in the manifests`;
  return resolvePorts(dsts, need.port, need.protocol ?? 'TCP');
}

function resolvePorts(dsts: readonly TrafficWorkload[], port: number | string, protocol: TrafficProtocol): Targets {
  const out: Array<{ dst: TrafficWorkload; port: number }> = [];
  for (const dst of dsts) {
    const number =
      typeof port === 'number' ? port : dst.ports.find((p) => p.name === port && p.protocol === protocol)?.port;
    if (number === undefined) return `${workloadId(dst)} has no ${protocol} container port named ${port}`;
    out.push({ dst, port: number });
  }
  return out;
}

/**
 * In a classroom, whatever can cross from one attendee's namespace to another's. Besides the workloads
 * of the manifests, each attendee namespace has a stand-in for the pods the attendee creates, with
 * labels of their choosing: it gets the most that any policy of the namespace allows.
 */
export function checkAttendeeBoundaries(
  objects: readonly KubeObject[],
  model: TrafficModel = new TrafficModel(objects),
): Finding[] {
  const attendee = (ns: string | undefined) =>
    ns === undefined ? undefined : model.namespaces.get(ns)?.[ATTENDEE_LABEL];
  const namespaceObjects = objects.filter((o) => o?.kind === 'Namespace' && attendee(o.metadata?.name) !== undefined);
  const ends = [
    ...model.workloads
      .filter((w) => attendee(w.namespace) !== undefined)
      .map((w) => ({ id: workloadId(w), object: w.object, ...model.withReach(model.pod(w)) })),
    ...namespaceObjects.map((ns) => ({
      id: `${ns.metadata.name}/[any pod]`,
      object: ns,
      ...model.withReach({
        namespace: ns.metadata.name,
        namespaceLabels: model.namespaces.get(ns.metadata.name!)!,
        labels: {},
        ports: [],
        anyLabels: true,
      }),
    })),
  ];
  const out: Finding[] = [];
  for (const [src, dst] of model.candidatePairs(ends)) {
    if (src.pod.namespace === dst.pod.namespace) continue;
    const conn = model.between(src.pod, dst.pod);
    if (conn.isEmpty) continue;
    out.push(
      finding(
        src.object,
        'spec',
        'traffic/attendee-boundary',
        `${src.id} => ${dst.id} : ${conn} crosses from attendee ${attendee(src.pod.namespace)} to attendee ${attendee(dst.pod.namespace)}`,
      ),
    );
  }
  return out;
}
