/**
 * What kube-apiserver v1.33 rejects beyond the OpenAPI schema, ported rule by rule from its validation
 * code (each area's file names the upstream functions). These rules run only on objects the schema
 * check found well-formed, so they may read every field at the type the schema gives it.
 */
import { KubeObject } from '../../manifest';
import { Finding } from '../../manifest/finding';
import { validateConfigMap, validateSecret } from './config';
import { validateIngress } from './ingress';
import { validateObjectMeta } from './meta';
import { validateNetworkPolicy } from './network-policy';
import { validateLimitRange, validatePodDisruptionBudget, validateResourceQuota } from './quota';
import { validateRbac } from './rbac';
import { validateService } from './service';
import { Fail, failInto } from './util';
import { validateWorkload } from './workloads';

export { checkNodePorts } from './service';
export { removedApiVersion } from './versions';
export { cronScheduleProblem } from './workloads';

type Rules = (obj: KubeObject, fail: Fail) => void;
const spec = (obj: KubeObject) => (obj.spec ?? {}) as Record<string, any>;

/** The rules of each built-in `group/Kind` (the core group is empty). */
const RULES: Readonly<Record<string, Rules>> = {
  '/Pod': validateWorkload,
  '/ReplicationController': validateWorkload,
  'apps/Deployment': validateWorkload,
  'apps/StatefulSet': validateWorkload,
  'apps/DaemonSet': validateWorkload,
  'apps/ReplicaSet': validateWorkload,
  'batch/Job': validateWorkload,
  'batch/CronJob': validateWorkload,
  'autoscaling/HorizontalPodAutoscaler': validateWorkload,
  '/Service': (obj, fail) => validateService(spec(obj), fail),
  '/ConfigMap': validateConfigMap,
  '/Secret': validateSecret,
  '/ResourceQuota': (obj, fail) => validateResourceQuota(spec(obj), fail),
  '/LimitRange': (obj, fail) => validateLimitRange(spec(obj), fail),
  'policy/PodDisruptionBudget': (obj, fail) => validatePodDisruptionBudget(spec(obj), fail),
  'networking.k8s.io/NetworkPolicy': (obj, fail) => validateNetworkPolicy(spec(obj), fail),
  'networking.k8s.io/Ingress': (obj, fail) => validateIngress(spec(obj), fail),
  'rbac.authorization.k8s.io/Role': validateRbac,
  'rbac.authorization.k8s.io/ClusterRole': validateRbac,
  'rbac.authorization.k8s.io/RoleBinding': validateRbac,
  'rbac.authorization.k8s.io/ClusterRoleBinding': validateRbac,
};

/** The API server's own validation of one object: its metadata, and its kind's rules. */
export function checkServerRules(obj: KubeObject): Finding[] {
  const out: Finding[] = [];
  const fail = failInto(obj, out);
  validateObjectMeta(obj, fail);
  const slash = obj.apiVersion.lastIndexOf('/');
  RULES[`${slash < 0 ? '' : obj.apiVersion.slice(0, slash)}/${obj.kind}`]?.(obj, fail);
  return out;
}
