// Single-field mutations of the synthesized objects (and of a Secret, a Job, a CronJob), each with the
// verdict kube-apiserver v1.33 gives it according to its validation code: every rejected one must yield
// a schema finding, every accepted one none.
import { base, schemaFindings } from './apiserver-support';

type Mutation = [kind: string, what: string, mutate: (o: any) => void];

const deployment = (o: any) => o.spec.template.spec;
const container = (o: any) => deployment(o).containers[0];
const podOf = (o: any) =>
  o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.kind === 'Pod' ? o.spec : o.spec.template.spec;
const ingress = (o: any) => (o.spec.ingress ??= [{}])[0];
const withPort = (o: any) => o.spec.ingress?.[0]?.ports?.length;

const REJECTED: Mutation[] = [
  // names
  [
    'Deployment',
    'name with an underscore',
    (o) => {
      o.metadata.name = 'Web_Server';
    },
  ],
  [
    'Deployment',
    'name of 300 characters',
    (o) => {
      o.metadata.name = 'a'.repeat(300);
    },
  ],
  [
    'Deployment',
    'name with upper case',
    (o) => {
      o.metadata.name = 'Web';
    },
  ],
  [
    'Deployment',
    'name ending in a dash',
    (o) => {
      o.metadata.name = 'web-';
    },
  ],
  [
    'Service',
    'name starting with a digit (DNS-1035)',
    (o) => {
      o.metadata.name = '1web';
    },
  ],
  [
    'Service',
    'name with a dot',
    (o) => {
      o.metadata.name = 'web.api';
    },
  ],
  [
    'Service',
    'name of 64 characters',
    (o) => {
      o.metadata.name = 'a'.repeat(64);
    },
  ],
  [
    'Namespace',
    'name with a dot',
    (o) => {
      o.metadata.name = 'team.a';
    },
  ],
  [
    'Namespace',
    'name of 64 characters',
    (o) => {
      o.metadata.name = 'n'.repeat(64);
    },
  ],
  [
    'ConfigMap',
    'name with a space',
    (o) => {
      o.metadata.name = 'my config';
    },
  ],
  [
    'Secret',
    'name with a colon',
    (o) => {
      o.metadata.name = 'a:b';
    },
  ],
  [
    'ServiceAccount',
    'name with upper case',
    (o) => {
      o.metadata.name = 'Robot';
    },
  ],
  [
    'NetworkPolicy',
    'name with an underscore',
    (o) => {
      o.metadata.name = 'deny_all';
    },
  ],
  [
    'PodDisruptionBudget',
    'name of 254 characters',
    (o) => {
      o.metadata.name = 'p'.repeat(254);
    },
  ],
  [
    'Role',
    'name with a slash',
    (o) => {
      o.metadata.name = 'a/b';
    },
  ],
  [
    'RoleBinding',
    'name ..',
    (o) => {
      o.metadata.name = '..';
    },
  ],
  [
    'CronJob',
    'name of 53 characters',
    (o) => {
      o.metadata.name = 'c'.repeat(53);
    },
  ],
  [
    'Job',
    'name of 64 characters',
    (o) => {
      o.metadata.name = 'j'.repeat(64);
    },
  ],
  [
    'Deployment',
    'namespace with upper case',
    (o) => {
      o.metadata.namespace = 'Prod';
    },
  ],
  // labels and annotations
  [
    'Deployment',
    'label value of 70 characters',
    (o) => {
      o.metadata.labels.app = 'v'.repeat(70);
    },
  ],
  [
    'Deployment',
    'label value with a space',
    (o) => {
      o.metadata.labels.app = 'my app';
    },
  ],
  [
    'Deployment',
    'label value ending in a dash',
    (o) => {
      o.metadata.labels.app = 'web-';
    },
  ],
  [
    'Deployment',
    'label key with two slashes',
    (o) => {
      o.metadata.labels['a/b/c'] = 'x';
    },
  ],
  [
    'Deployment',
    'label key of 64 characters',
    (o) => {
      o.metadata.labels['k'.repeat(64)] = 'x';
    },
  ],
  [
    'Deployment',
    'label key prefix with upper case',
    (o) => {
      o.metadata.labels['Example.com/x'] = 'x';
    },
  ],
  [
    'Service',
    'label key empty prefix',
    (o) => {
      o.metadata.labels['/x'] = 'x';
    },
  ],
  [
    'Deployment',
    'template label value with a colon',
    (o) => {
      o.spec.template.metadata.labels.extra = 'a:b';
    },
  ],
  [
    'ConfigMap',
    'annotation key with a space',
    (o) => {
      o.metadata.annotations = { 'my note': 'x' };
    },
  ],
  [
    'ConfigMap',
    'annotations over 256 KiB',
    (o) => {
      o.metadata.annotations = { note: 'x'.repeat(262_200) };
    },
  ],
  [
    'Deployment',
    'selector label value too long',
    (o) => {
      o.spec.selector.matchLabels.app = 'v'.repeat(64);
      o.spec.template.metadata.labels.app = 'v'.repeat(64);
    },
  ],
  [
    'Deployment',
    'matchExpressions In without values',
    (o) => {
      o.spec.selector.matchExpressions = [{ key: 'app', operator: 'In' }];
    },
  ],
  [
    'Deployment',
    'matchExpressions Exists with values',
    (o) => {
      o.spec.selector.matchExpressions = [{ key: 'app', operator: 'Exists', values: ['x'] }];
    },
  ],
  [
    'Deployment',
    'matchExpressions unknown operator',
    (o) => {
      o.spec.selector.matchExpressions = [{ key: 'app', operator: 'Is', values: ['x'] }];
    },
  ],
  // pod specs: containers, ports, env, volumes, mounts
  [
    'Deployment',
    'container name with upper case',
    (o) => {
      container(o).name = 'Web';
    },
  ],
  [
    'Deployment',
    'container name with an underscore',
    (o) => {
      container(o).name = 'web_1';
    },
  ],
  [
    'Deployment',
    'duplicate container name',
    (o) => {
      deployment(o).containers.push({ ...container(o), ports: [] });
    },
  ],
  [
    'Deployment',
    'init container named as a container',
    (o) => {
      deployment(o).initContainers = [{ name: container(o).name, image: 'busybox:1.36' }];
    },
  ],
  [
    'Deployment',
    'no containers',
    (o) => {
      deployment(o).containers = [];
    },
  ],
  [
    'Deployment',
    'empty image',
    (o) => {
      container(o).image = '';
    },
  ],
  [
    'Deployment',
    'containerPort 70000',
    (o) => {
      container(o).ports[0].containerPort = 70000;
    },
  ],
  [
    'Deployment',
    'containerPort 0',
    (o) => {
      container(o).ports[0].containerPort = 0;
    },
  ],
  [
    'Deployment',
    'hostPort 70000',
    (o) => {
      container(o).ports[0].hostPort = 70000;
    },
  ],
  [
    'Deployment',
    'port name of 16 characters',
    (o) => {
      container(o).ports[0].name = 'p'.repeat(16);
    },
  ],
  [
    'Deployment',
    'port name with upper case',
    (o) => {
      container(o).ports[0].name = 'HTTP';
    },
  ],
  [
    'Deployment',
    'port name of digits only',
    (o) => {
      container(o).ports[0].name = '8080';
    },
  ],
  [
    'Deployment',
    'port name with two dashes',
    (o) => {
      container(o).ports[0].name = 'h--p';
    },
  ],
  [
    'Deployment',
    'duplicate port name',
    (o) => {
      container(o).ports.push({ ...container(o).ports[0], containerPort: 9999 });
    },
  ],
  [
    'Deployment',
    'duplicate containerPort/protocol',
    (o) => {
      container(o).ports.push({ ...container(o).ports[0], name: 'other' });
    },
  ],
  [
    'Deployment',
    'port protocol HTTP',
    (o) => {
      container(o).ports[0].protocol = 'HTTP';
    },
  ],
  [
    'Deployment',
    'env var name with =',
    (o) => {
      container(o).env = [{ name: 'A=B', value: 'x' }];
    },
  ],
  [
    'Deployment',
    'env var name empty',
    (o) => {
      container(o).env = [{ name: '', value: 'x' }];
    },
  ],
  [
    'Deployment',
    'duplicate env var',
    (o) => {
      container(o).env = [
        { name: 'A', value: '1' },
        { name: 'A', value: '2' },
      ];
    },
  ],
  [
    'Deployment',
    'env value and valueFrom',
    (o) => {
      container(o).env = [{ name: 'A', value: '1', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }];
    },
  ],
  [
    'Deployment',
    'env secretKeyRef key with a slash',
    (o) => {
      container(o).env = [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'a/b' } } }];
    },
  ],
  [
    'Deployment',
    'volumeMount of no volume',
    (o) => {
      container(o).volumeMounts = [{ name: 'ghost', mountPath: '/data' }];
    },
  ],
  [
    'Deployment',
    'volume name with upper case',
    (o) => {
      deployment(o).volumes = [{ name: 'Data', emptyDir: {} }];
    },
  ],
  [
    'Deployment',
    'duplicate volume name',
    (o) => {
      deployment(o).volumes = [
        { name: 'd', emptyDir: {} },
        { name: 'd', emptyDir: {} },
      ];
    },
  ],
  [
    'Deployment',
    'volume with two sources',
    (o) => {
      deployment(o).volumes = [{ name: 'd', emptyDir: {}, configMap: { name: 'c' } }];
    },
  ],
  [
    'Deployment',
    'volume with no source',
    (o) => {
      deployment(o).volumes = [{ name: 'd' }];
    },
  ],
  [
    'Deployment',
    'duplicate mountPath',
    (o) => {
      deployment(o).volumes = [
        { name: 'a', emptyDir: {} },
        { name: 'b', emptyDir: {} },
      ];
      container(o).volumeMounts = [
        { name: 'a', mountPath: '/x' },
        { name: 'b', mountPath: '/x' },
      ];
    },
  ],
  [
    'Deployment',
    'subPath with ..',
    (o) => {
      deployment(o).volumes = [{ name: 'a', emptyDir: {} }];
      container(o).volumeMounts = [{ name: 'a', mountPath: '/x', subPath: '../etc' }];
    },
  ],
  [
    'Deployment',
    'configMap item path absolute',
    (o) => {
      deployment(o).volumes = [{ name: 'a', configMap: { name: 'c', items: [{ key: 'k', path: '/x' }] } }];
    },
  ],
  [
    'Deployment',
    'configMap volume without name',
    (o) => {
      deployment(o).volumes = [{ name: 'a', configMap: { name: '' } }];
    },
  ],
  [
    'Deployment',
    'envFrom secretRef name invalid',
    (o) => {
      container(o).envFrom = [{ secretRef: { name: 'My_Secret' } }];
    },
  ],
  [
    'Deployment',
    'configMapKeyRef without name',
    (o) => {
      container(o).env = [{ name: 'A', valueFrom: { configMapKeyRef: { name: '', key: 'k' } } }];
    },
  ],
  // probes
  [
    'Deployment',
    'probe with two handlers',
    (o) => {
      container(o).livenessProbe.tcpSocket = { port: 80 };
    },
  ],
  [
    'Deployment',
    'probe with no handler',
    (o) => {
      container(o).readinessProbe = { periodSeconds: 5 };
    },
  ],
  [
    'Deployment',
    'negative initialDelaySeconds',
    (o) => {
      container(o).livenessProbe.initialDelaySeconds = -1;
    },
  ],
  [
    'Deployment',
    'negative periodSeconds',
    (o) => {
      container(o).readinessProbe.periodSeconds = -5;
    },
  ],
  [
    'Deployment',
    'negative timeoutSeconds',
    (o) => {
      container(o).readinessProbe.timeoutSeconds = -5;
    },
  ],
  [
    'Deployment',
    'negative failureThreshold',
    (o) => {
      container(o).livenessProbe.failureThreshold = -1;
    },
  ],
  [
    'Deployment',
    'liveness successThreshold 2',
    (o) => {
      container(o).livenessProbe.successThreshold = 2;
    },
  ],
  [
    'Deployment',
    'startup successThreshold 3',
    (o) => {
      container(o).startupProbe = { tcpSocket: { port: 80 }, successThreshold: 3 };
    },
  ],
  [
    'Deployment',
    'httpGet port 0',
    (o) => {
      container(o).livenessProbe.httpGet.port = 0;
    },
  ],
  [
    'Deployment',
    'httpGet port name invalid',
    (o) => {
      container(o).livenessProbe.httpGet.port = 'Not_A_Port';
    },
  ],
  [
    'Deployment',
    'exec probe without command',
    (o) => {
      container(o).livenessProbe = { exec: {} };
    },
  ],
  [
    'Deployment',
    'probe on an init container',
    (o) => {
      deployment(o).initContainers = [
        { name: 'init', image: 'busybox:1.36', readinessProbe: { tcpSocket: { port: 80 } } },
      ];
    },
  ],
  [
    'Deployment',
    'preStop with no handler',
    (o) => {
      container(o).lifecycle = { preStop: {} };
    },
  ],
  // restartPolicy, securityContext, resources
  [
    'Deployment',
    'restartPolicy Never',
    (o) => {
      deployment(o).restartPolicy = 'Never';
    },
  ],
  [
    'DaemonSet',
    'restartPolicy OnFailure',
    (o) => {
      o.spec.template.spec.restartPolicy = 'OnFailure';
    },
  ],
  [
    'Job',
    'restartPolicy Always',
    (o) => {
      o.spec.template.spec.restartPolicy = 'Always';
    },
  ],
  [
    'Job',
    'restartPolicy unset',
    (o) => {
      delete o.spec.template.spec.restartPolicy;
    },
  ],
  [
    'CronJob',
    'restartPolicy Always',
    (o) => {
      podOf(o).restartPolicy = 'Always';
    },
  ],
  [
    'Pod',
    'restartPolicy Sometimes',
    (o) => {
      o.spec.restartPolicy = 'Sometimes';
    },
  ],
  [
    'Deployment',
    'container restartPolicy on a regular container',
    (o) => {
      container(o).restartPolicy = 'Always';
    },
  ],
  [
    'Deployment',
    'runAsUser -1',
    (o) => {
      container(o).securityContext.runAsUser = -1;
    },
  ],
  [
    'Deployment',
    'pod runAsGroup -1',
    (o) => {
      (deployment(o).securityContext ??= {}).runAsGroup = -1;
    },
  ],
  [
    'Deployment',
    'fsGroup -5',
    (o) => {
      (deployment(o).securityContext ??= {}).fsGroup = -5;
    },
  ],
  [
    'Deployment',
    'supplementalGroups -1',
    (o) => {
      (deployment(o).securityContext ??= {}).supplementalGroups = [-1];
    },
  ],
  [
    'Deployment',
    'privileged and no privilege escalation',
    (o) => {
      container(o).securityContext.privileged = true;
    },
  ],
  [
    'Deployment',
    'seccomp Localhost without profile',
    (o) => {
      container(o).securityContext.seccompProfile = { type: 'Localhost' };
    },
  ],
  [
    'Deployment',
    'negative cpu request',
    (o) => {
      container(o).resources.requests.cpu = '-1';
    },
  ],
  [
    'Deployment',
    'request above limit',
    (o) => {
      container(o).resources.requests.memory = '10Gi';
    },
  ],
  [
    'Deployment',
    'resource name not standard',
    (o) => {
      container(o).resources.limits.gpu = '1';
    },
  ],
  [
    'Deployment',
    'activeDeadlineSeconds in a Deployment',
    (o) => {
      deployment(o).activeDeadlineSeconds = 30;
    },
  ],
  [
    'Deployment',
    'imagePullPolicy Sometimes',
    (o) => {
      container(o).imagePullPolicy = 'Sometimes';
    },
  ],
  [
    'Deployment',
    'dnsPolicy None without nameservers',
    (o) => {
      deployment(o).dnsPolicy = 'None';
    },
  ],
  [
    'Deployment',
    'serviceAccountName with upper case',
    (o) => {
      deployment(o).serviceAccountName = 'Robot';
    },
  ],
  [
    'Deployment',
    'toleration Exists with a value',
    (o) => {
      deployment(o).tolerations = [{ key: 'k', operator: 'Exists', value: 'v' }];
    },
  ],
  [
    'Deployment',
    'nodeSelector value too long',
    (o) => {
      deployment(o).nodeSelector = { zone: 'z'.repeat(64) };
    },
  ],
  // workloads
  [
    'Deployment',
    'replicas -3',
    (o) => {
      o.spec.replicas = -3;
    },
  ],
  [
    'Deployment',
    'selector does not match the template',
    (o) => {
      o.spec.selector.matchLabels.app = 'other';
    },
  ],
  [
    'Deployment',
    'empty selector',
    (o) => {
      o.spec.selector = {};
    },
  ],
  [
    'Deployment',
    'minReadySeconds -1',
    (o) => {
      o.spec.minReadySeconds = -1;
    },
  ],
  [
    'Deployment',
    'revisionHistoryLimit -1',
    (o) => {
      o.spec.revisionHistoryLimit = -1;
    },
  ],
  [
    'Deployment',
    'strategy Blue',
    (o) => {
      o.spec.strategy = { type: 'Blue' };
    },
  ],
  [
    'Deployment',
    'Recreate with rollingUpdate',
    (o) => {
      o.spec.strategy = { type: 'Recreate', rollingUpdate: { maxSurge: 1 } };
    },
  ],
  [
    'Deployment',
    'maxUnavailable and maxSurge both 0',
    (o) => {
      o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } };
    },
  ],
  [
    'Deployment',
    'maxUnavailable 150%',
    (o) => {
      o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%' } };
    },
  ],
  [
    'Deployment',
    'maxSurge not a percent',
    (o) => {
      o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'lots' } };
    },
  ],
  [
    'Deployment',
    'progressDeadlineSeconds not above minReadySeconds',
    (o) => {
      o.spec.minReadySeconds = 30;
      o.spec.progressDeadlineSeconds = 30;
    },
  ],
  [
    'DaemonSet',
    'updateStrategy Sometimes',
    (o) => {
      o.spec.updateStrategy = { type: 'Sometimes' };
    },
  ],
  [
    'Job',
    'backoffLimit -1',
    (o) => {
      o.spec.backoffLimit = -1;
    },
  ],
  [
    'Job',
    'parallelism -1',
    (o) => {
      o.spec.parallelism = -1;
    },
  ],
  [
    'Job',
    'completions -1',
    (o) => {
      o.spec.completions = -1;
    },
  ],
  [
    'Job',
    'completionMode Sometimes',
    (o) => {
      o.spec.completionMode = 'Sometimes';
    },
  ],
  [
    'Job',
    'Indexed without completions',
    (o) => {
      o.spec.completionMode = 'Indexed';
    },
  ],
  [
    'Job',
    'ttlSecondsAfterFinished -1',
    (o) => {
      o.spec.ttlSecondsAfterFinished = -1;
    },
  ],
  [
    'CronJob',
    'schedule with 6 fields',
    (o) => {
      o.spec.schedule = '0 30 2 * * 1';
    },
  ],
  [
    'CronJob',
    'schedule minute 60',
    (o) => {
      o.spec.schedule = '60 * * * *';
    },
  ],
  [
    'CronJob',
    'schedule hour 24',
    (o) => {
      o.spec.schedule = '0 24 * * *';
    },
  ],
  [
    'CronJob',
    'schedule day 0',
    (o) => {
      o.spec.schedule = '0 0 0 * *';
    },
  ],
  [
    'CronJob',
    'schedule month 13',
    (o) => {
      o.spec.schedule = '0 0 1 13 *';
    },
  ],
  [
    'CronJob',
    'schedule weekday 8',
    (o) => {
      o.spec.schedule = '0 0 * * 8';
    },
  ],
  [
    'CronJob',
    'schedule step 0',
    (o) => {
      o.spec.schedule = '*/0 * * * *';
    },
  ],
  [
    'CronJob',
    'schedule with words',
    (o) => {
      o.spec.schedule = 'every day';
    },
  ],
  [
    'CronJob',
    'schedule descriptor unknown',
    (o) => {
      o.spec.schedule = '@sometimes';
    },
  ],
  [
    'CronJob',
    'schedule with TZ',
    (o) => {
      o.spec.schedule = 'TZ=UTC 0 0 * * *';
    },
  ],
  [
    'CronJob',
    'timeZone unknown',
    (o) => {
      o.spec.timeZone = 'Mars/Olympus';
    },
  ],
  [
    'CronJob',
    'concurrencyPolicy Sometimes',
    (o) => {
      o.spec.concurrencyPolicy = 'Sometimes';
    },
  ],
  [
    'CronJob',
    'startingDeadlineSeconds -1',
    (o) => {
      o.spec.startingDeadlineSeconds = -1;
    },
  ],
  [
    'CronJob',
    'successfulJobsHistoryLimit -1',
    (o) => {
      o.spec.successfulJobsHistoryLimit = -1;
    },
  ],
  // Services
  [
    'Service',
    'port 70000',
    (o) => {
      o.spec.ports[0].port = 70000;
    },
  ],
  [
    'Service',
    'port 0',
    (o) => {
      o.spec.ports[0].port = 0;
    },
  ],
  [
    'Service',
    'targetPort 70000',
    (o) => {
      o.spec.ports[0].targetPort = 70000;
    },
  ],
  [
    'Service',
    'targetPort name with upper case',
    (o) => {
      o.spec.ports[0].targetPort = 'HTTP';
    },
  ],
  [
    'Service',
    'second port without names',
    (o) => {
      o.spec.ports = [{ port: 80 }, { port: 81 }];
    },
  ],
  [
    'Service',
    'duplicate port name',
    (o) => {
      o.spec.ports.push({ ...o.spec.ports[0], port: 81 });
    },
  ],
  [
    'Service',
    'duplicate port/protocol',
    (o) => {
      o.spec.ports.push({ ...o.spec.ports[0], name: 'other' });
    },
  ],
  [
    'Service',
    'port name with an underscore',
    (o) => {
      o.spec.ports[0].name = 'my_port';
    },
  ],
  [
    'Service',
    'protocol HTTP',
    (o) => {
      o.spec.ports[0].protocol = 'HTTP';
    },
  ],
  [
    'Service',
    'nodePort on a ClusterIP Service',
    (o) => {
      o.spec.ports[0].nodePort = 30080;
    },
  ],
  [
    'Service',
    'nodePort 80',
    (o) => {
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 80;
    },
  ],
  [
    'Service',
    'nodePort 40000',
    (o) => {
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 40000;
    },
  ],
  [
    'Service',
    'type Internal',
    (o) => {
      o.spec.type = 'Internal';
    },
  ],
  [
    'Service',
    'clusterIP None with NodePort',
    (o) => {
      o.spec.type = 'NodePort';
      o.spec.clusterIP = 'None';
    },
  ],
  [
    'Service',
    'clusterIP not an IP',
    (o) => {
      o.spec.clusterIP = '10.0.0.300';
    },
  ],
  [
    'Service',
    'externalTrafficPolicy on ClusterIP',
    (o) => {
      o.spec.externalTrafficPolicy = 'Local';
    },
  ],
  [
    'Service',
    'externalTrafficPolicy Nearest',
    (o) => {
      o.spec.type = 'NodePort';
      o.spec.externalTrafficPolicy = 'Nearest';
    },
  ],
  [
    'Service',
    'sessionAffinity Sticky',
    (o) => {
      o.spec.sessionAffinity = 'Sticky';
    },
  ],
  [
    'Service',
    'no ports',
    (o) => {
      o.spec.ports = [];
    },
  ],
  [
    'Service',
    'ExternalName without externalName',
    (o) => {
      o.spec = { type: 'ExternalName' };
    },
  ],
  [
    'Service',
    'selector value too long',
    (o) => {
      o.spec.selector = { app: 'a'.repeat(64) };
    },
  ],
  [
    'Service',
    'loadBalancerSourceRanges on ClusterIP',
    (o) => {
      o.spec.loadBalancerSourceRanges = ['10.0.0.0/8'];
    },
  ],
  // NetworkPolicies
  [
    'NetworkPolicy',
    'ipBlock cidr not a CIDR',
    (o) => {
      ingress(o).from = [{ ipBlock: { cidr: '10.0.0.0' } }];
    },
  ],
  [
    'NetworkPolicy',
    'ipBlock cidr prefix 33',
    (o) => {
      ingress(o).from = [{ ipBlock: { cidr: '10.0.0.0/33' } }];
    },
  ],
  [
    'NetworkPolicy',
    'ipBlock except outside',
    (o) => {
      ingress(o).from = [{ ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } }];
    },
  ],
  [
    'NetworkPolicy',
    'ipBlock except equal to cidr',
    (o) => {
      ingress(o).from = [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] } }];
    },
  ],
  [
    'NetworkPolicy',
    'ipBlock with a podSelector',
    (o) => {
      ingress(o).from = [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }];
    },
  ],
  [
    'NetworkPolicy',
    'empty peer',
    (o) => {
      ingress(o).from = [{}];
    },
  ],
  [
    'NetworkPolicy',
    'endPort below port',
    (o) => {
      ingress(o).ports = [{ port: 8080, endPort: 80 }];
    },
  ],
  [
    'NetworkPolicy',
    'endPort without port',
    (o) => {
      ingress(o).ports = [{ endPort: 80 }];
    },
  ],
  [
    'NetworkPolicy',
    'endPort with a named port',
    (o) => {
      ingress(o).ports = [{ port: 'http', endPort: 80 }];
    },
  ],
  [
    'NetworkPolicy',
    'port 70000',
    (o) => {
      ingress(o).ports = [{ port: 70000 }];
    },
  ],
  [
    'NetworkPolicy',
    'port name invalid',
    (o) => {
      ingress(o).ports = [{ port: 'Web_Port' }];
    },
  ],
  [
    'NetworkPolicy',
    'protocol ICMP',
    (o) => {
      ingress(o).ports = [{ protocol: 'ICMP', port: 80 }];
    },
  ],
  [
    'NetworkPolicy',
    'policyTypes Both',
    (o) => {
      o.spec.policyTypes = ['Both'];
    },
  ],
  [
    'NetworkPolicy',
    'podSelector label value invalid',
    (o) => {
      o.spec.podSelector = { matchLabels: { app: 'a b' } };
    },
  ],
  // RBAC
  [
    'Role',
    'verbs empty',
    (o) => {
      o.rules[0].verbs = [];
    },
  ],
  [
    'Role',
    'no apiGroups',
    (o) => {
      delete o.rules[0].apiGroups;
    },
  ],
  [
    'Role',
    'no resources',
    (o) => {
      o.rules[0].resources = [];
    },
  ],
  [
    'Role',
    'nonResourceURLs in a Role',
    (o) => {
      o.rules[0] = { verbs: ['get'], nonResourceURLs: ['/healthz'] };
    },
  ],
  [
    'RoleBinding',
    'roleRef kind Group',
    (o) => {
      o.roleRef.kind = 'Group';
    },
  ],
  [
    'RoleBinding',
    'roleRef apiGroup apps',
    (o) => {
      o.roleRef.apiGroup = 'apps';
    },
  ],
  [
    'RoleBinding',
    'roleRef name with a slash',
    (o) => {
      o.roleRef.name = 'a/b';
    },
  ],
  [
    'RoleBinding',
    'subject kind Robot',
    (o) => {
      o.subjects[0].kind = 'Robot';
    },
  ],
  [
    'RoleBinding',
    'ServiceAccount subject with apiGroup',
    (o) => {
      o.subjects[0].apiGroup = 'rbac.authorization.k8s.io';
    },
  ],
  [
    'RoleBinding',
    'User subject with apiGroup v1',
    (o) => {
      o.subjects[0] = { kind: 'User', name: 'me', apiGroup: 'v1' };
    },
  ],
  [
    'RoleBinding',
    'ServiceAccount subject name with upper case',
    (o) => {
      o.subjects[0].name = 'Robot';
    },
  ],
  [
    'ClusterRoleBinding',
    'roleRef kind Role',
    (o) => {
      o.roleRef.kind = 'Role';
    },
  ],
  [
    'ClusterRoleBinding',
    'ServiceAccount subject without namespace',
    (o) => {
      delete o.subjects[0].namespace;
    },
  ],
  // ConfigMaps and Secrets
  [
    'ConfigMap',
    'data key with a slash',
    (o) => {
      o.data['a/b'] = 'x';
    },
  ],
  [
    'ConfigMap',
    'data key ..',
    (o) => {
      o.data['..x'] = 'x';
    },
  ],
  [
    'ConfigMap',
    'data over 1 MiB',
    (o) => {
      o.data.big = 'x'.repeat(1024 * 1024);
    },
  ],
  [
    'ConfigMap',
    'binaryData not base64',
    (o) => {
      o.binaryData = { b: 'not base64!' };
    },
  ],
  [
    'ConfigMap',
    'binaryData key also in data',
    (o) => {
      o.binaryData = { [Object.keys(o.data)[0]]: 'eA==' };
    },
  ],
  [
    'Secret',
    'data not base64',
    (o) => {
      o.data['api.key'] = 'secret!';
    },
  ],
  [
    'Secret',
    'data with bad padding',
    (o) => {
      o.data['api.key'] = 'c2VjcmV0=';
    },
  ],
  [
    'Secret',
    'data key with a space',
    (o) => {
      o.data['api key'] = 'eA==';
    },
  ],
  [
    'Secret',
    'stringData key with a colon',
    (o) => {
      o.stringData['a:b'] = 'x';
    },
  ],
  [
    'Secret',
    'data over 1 MiB',
    (o) => {
      o.stringData.big = 'x'.repeat(1024 * 1024);
    },
  ],
  [
    'Secret',
    'tls Secret without tls.key',
    (o) => {
      o.type = 'kubernetes.io/tls';
      o.data = { 'tls.crt': 'eA==' };
    },
  ],
  // quotas, LimitRanges, PDBs
  [
    'ResourceQuota',
    'negative pods',
    (o) => {
      o.spec.hard.pods = -1;
    },
  ],
  [
    'ResourceQuota',
    'pods not an integer',
    (o) => {
      o.spec.hard.pods = '1.5';
    },
  ],
  [
    'ResourceQuota',
    'negative cpu',
    (o) => {
      o.spec.hard['limits.cpu'] = '-1';
    },
  ],
  [
    'ResourceQuota',
    'resource name not standard',
    (o) => {
      o.spec.hard.widgets = '1';
    },
  ],
  [
    'ResourceQuota',
    'scope Sometimes',
    (o) => {
      o.spec.scopes = ['Sometimes'];
    },
  ],
  [
    'LimitRange',
    'defaultRequest above default',
    (o) => {
      o.spec.limits[0].defaultRequest.cpu = '1';
    },
  ],
  [
    'LimitRange',
    'default above max',
    (o) => {
      o.spec.limits[0].max = { cpu: '100m' };
    },
  ],
  [
    'LimitRange',
    'min above max',
    (o) => {
      o.spec.limits[0].min = { memory: '1Gi' };
      o.spec.limits[0].max = { memory: '512Mi' };
    },
  ],
  [
    'LimitRange',
    'negative default',
    (o) => {
      o.spec.limits[0].default.memory = '-1Mi';
    },
  ],
  [
    'LimitRange',
    'type Node',
    (o) => {
      o.spec.limits[0].type = 'Node';
    },
  ],
  [
    'LimitRange',
    'duplicate type',
    (o) => {
      o.spec.limits.push(structuredClone(o.spec.limits[0]));
    },
  ],
  [
    'LimitRange',
    'Pod type with a default',
    (o) => {
      o.spec.limits[0].type = 'Pod';
    },
  ],
  [
    'LimitRange',
    'maxLimitRequestRatio below 1',
    (o) => {
      o.spec.limits[0].maxLimitRequestRatio = { cpu: '500m' };
    },
  ],
  [
    'PodDisruptionBudget',
    'minAvailable and maxUnavailable',
    (o) => {
      o.spec.minAvailable = 1;
    },
  ],
  [
    'PodDisruptionBudget',
    'maxUnavailable -1',
    (o) => {
      o.spec.maxUnavailable = -1;
    },
  ],
  [
    'PodDisruptionBudget',
    'maxUnavailable 150%',
    (o) => {
      o.spec.maxUnavailable = '150%';
    },
  ],
  [
    'PodDisruptionBudget',
    'maxUnavailable half',
    (o) => {
      o.spec.maxUnavailable = 'half';
    },
  ],
  [
    'PodDisruptionBudget',
    'unhealthyPodEvictionPolicy Never',
    (o) => {
      o.spec.unhealthyPodEvictionPolicy = 'Never';
    },
  ],
  // removed API versions
  [
    'Deployment',
    'extensions/v1beta1',
    (o) => {
      o.apiVersion = 'extensions/v1beta1';
    },
  ],
  [
    'Deployment',
    'apps/v1beta1',
    (o) => {
      o.apiVersion = 'apps/v1beta1';
    },
  ],
  [
    'DaemonSet',
    'apps/v1beta2',
    (o) => {
      o.apiVersion = 'apps/v1beta2';
    },
  ],
  [
    'CronJob',
    'batch/v1beta1',
    (o) => {
      o.apiVersion = 'batch/v1beta1';
    },
  ],
  [
    'NetworkPolicy',
    'extensions/v1beta1',
    (o) => {
      o.apiVersion = 'extensions/v1beta1';
    },
  ],
  [
    'PodDisruptionBudget',
    'policy/v1beta1',
    (o) => {
      o.apiVersion = 'policy/v1beta1';
    },
  ],
  [
    'Role',
    'rbac v1beta1',
    (o) => {
      o.apiVersion = 'rbac.authorization.k8s.io/v1beta1';
    },
  ],
  [
    'RoleBinding',
    'rbac v1alpha1',
    (o) => {
      o.apiVersion = 'rbac.authorization.k8s.io/v1alpha1';
    },
  ],
  // list fields of the wrong type
  [
    'Deployment',
    'containers as an object',
    (o) => {
      deployment(o).containers = { name: 'web' };
    },
  ],
  [
    'Service',
    'ports as a string',
    (o) => {
      o.spec.ports = '80';
    },
  ],
  [
    'NetworkPolicy',
    'ingress as an object',
    (o) => {
      o.spec.ingress = { from: [] };
    },
  ],
  [
    'Role',
    'rules as a string',
    (o) => {
      o.rules = 'all';
    },
  ],
  [
    'Role',
    'verbs as a string',
    (o) => {
      o.rules[0].verbs = 'get';
    },
  ],
];

const ACCEPTED: Mutation[] = [
  [
    'NetworkPolicy',
    'no podSelector (all pods)',
    (o) => {
      delete o.spec.podSelector;
    },
  ],
  [
    'RoleBinding',
    'roleRef without apiGroup (defaulted)',
    (o) => {
      delete o.roleRef.apiGroup;
    },
  ],
  [
    'RoleBinding',
    'User subject without apiGroup (defaulted)',
    (o) => {
      o.subjects[0] = { kind: 'User', name: 'alice@example.com' };
    },
  ],
  [
    'Role',
    'name with upper case and an underscore (a path segment)',
    (o) => {
      o.metadata.name = 'Pod_Reader';
    },
  ],
  [
    'Deployment',
    'name of 253 characters',
    (o) => {
      o.metadata.name = `${'a'.repeat(63)}.`.repeat(3) + 'b'.repeat(61);
    },
  ],
  [
    'Deployment',
    'dotted name',
    (o) => {
      o.metadata.name = 'web.v2';
    },
  ],
  [
    'Deployment',
    'label value of 63 characters',
    (o) => {
      o.metadata.labels.app = 'v'.repeat(63);
    },
  ],
  [
    'Deployment',
    'empty label value',
    (o) => {
      o.metadata.labels.extra = '';
    },
  ],
  [
    'Deployment',
    'env var name with a dot and a dash (relaxed names)',
    (o) => {
      container(o).env = [{ name: 'spring.datasource-url', value: 'x' }];
    },
  ],
  [
    'Deployment',
    'replicas 0',
    (o) => {
      o.spec.replicas = 0;
    },
  ],
  [
    'Deployment',
    'the same containerPort for TCP and UDP',
    (o) => {
      container(o).ports.push({ name: 'udp', containerPort: container(o).ports[0].containerPort, protocol: 'UDP' });
    },
  ],
  [
    'Deployment',
    'maxUnavailable 0 with maxSurge 1',
    (o) => {
      o.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '0%' } };
    },
  ],
  [
    'Deployment',
    'status without conditions fields (dropped by the server)',
    (o) => {
      o.status = { conditions: [{}] };
    },
  ],
  [
    'Deployment',
    'creationTimestamp null',
    (o) => {
      o.metadata.creationTimestamp = null;
    },
  ],
  [
    'Deployment',
    'runAsUser 0',
    (o) => {
      container(o).securityContext.runAsUser = 0;
    },
  ],
  [
    'Service',
    'headless without ports',
    (o) => {
      o.spec.clusterIP = 'None';
      o.spec.ports = [];
    },
  ],
  [
    'Service',
    'NodePort with nodePort 30080',
    (o) => {
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 30080;
    },
  ],
  [
    'Service',
    'LoadBalancer with externalTrafficPolicy Local',
    (o) => {
      o.spec.type = 'LoadBalancer';
      o.spec.externalTrafficPolicy = 'Local';
    },
  ],
  [
    'Service',
    'one port without a name',
    (o) => {
      delete o.spec.ports[0].name;
    },
  ],
  [
    'Service',
    'targetPort a number',
    (o) => {
      o.spec.ports[0].targetPort = 8080;
    },
  ],
  [
    'NetworkPolicy',
    'endPort above port',
    (o) => {
      ingress(o).ports = [{ port: 32000, endPort: 32768 }];
    },
  ],
  [
    'NetworkPolicy',
    'ipBlock with except inside (IPv6)',
    (o) => {
      ingress(o).from = [{ ipBlock: { cidr: 'fd00::/8', except: ['fd00:1::/32'] } }];
    },
  ],
  [
    'NetworkPolicy',
    'namespaceSelector and podSelector together',
    (o) => {
      ingress(o).from = [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } }];
    },
  ],
  [
    'CronJob',
    'schedule @hourly',
    (o) => {
      o.spec.schedule = '@hourly';
    },
  ],
  [
    'CronJob',
    'schedule @every 90m',
    (o) => {
      o.spec.schedule = '@every 1h30m';
    },
  ],
  [
    'CronJob',
    'schedule with names, lists, ranges and steps',
    (o) => {
      o.spec.schedule = '*/15 0-6,22 ? JAN-MAR mon-fri';
    },
  ],
  [
    'CronJob',
    'timeZone Europe/Paris',
    (o) => {
      o.spec.timeZone = 'Europe/Paris';
    },
  ],
  [
    'CronJob',
    'name of 52 characters',
    (o) => {
      o.metadata.name = 'c'.repeat(52);
    },
  ],
  [
    'Job',
    'restartPolicy OnFailure',
    (o) => {
      o.spec.template.spec.restartPolicy = 'OnFailure';
    },
  ],
  [
    'Job',
    'name of 63 characters',
    (o) => {
      o.metadata.name = 'j'.repeat(63);
    },
  ],
  [
    'Secret',
    'base64 with line breaks',
    (o) => {
      o.data['api.key'] = 'c2Vj\ncmV0';
    },
  ],
  [
    'ConfigMap',
    'key with dots, dashes and underscores',
    (o) => {
      o.data['app_config-v2.json'] = '{}';
    },
  ],
  [
    'PodDisruptionBudget',
    'maxUnavailable 100%',
    (o) => {
      o.spec.maxUnavailable = '100%';
    },
  ],
  [
    'ResourceQuota',
    'extended resource count',
    (o) => {
      o.spec.hard['count/deployments.apps'] = 3;
      o.spec.hard['requests.nvidia.com/gpu'] = 1;
    },
  ],
  [
    'Deployment',
    'configMap item key with a space (only required)',
    (o) => {
      (deployment(o).volumes ??= []).push({ name: 'a', configMap: { name: 'c', items: [{ key: 'a b', path: 'x' }] } });
    },
  ],
  [
    'Pod',
    'sidecar init container with a probe',
    (o) => {
      o.spec.initContainers = [
        { name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always', readinessProbe: { tcpSocket: { port: 9901 } } },
      ];
    },
  ],
];

/** The base each kind's mutations start from: a dist object with the fields the mutations touch. */
function baseFor(kind: string): any {
  switch (kind) {
    case 'Deployment':
      return base(kind, (o) => {
        const c = o.spec.template.spec.containers[0];
        return (
          c.ports?.length && c.livenessProbe?.httpGet && c.readinessProbe && c.securityContext && c.resources?.limits
        );
      });
    case 'Service':
      return base(kind, (o) => o.spec.ports?.[0]?.name && o.spec.selector);
    case 'ConfigMap':
      return base(kind, (o) => o.data);
    default:
      return base(kind, kind === 'NetworkPolicy' ? (o: any) => !withPort(o) : undefined);
  }
}

describe('differential: single-field mutations the API server rejects', () => {
  test(`at least 100 of them (${REJECTED.length})`, () => expect(REJECTED.length).toBeGreaterThanOrEqual(100));
  test.each(REJECTED.map(([kind, what, mutate]) => [kind, what, mutate] as const))('%s: %s', (kind, _what, mutate) => {
    const obj = baseFor(kind);
    mutate(obj);
    expect(schemaFindings(obj).filter((f) => f.startsWith('schema/'))).not.toEqual([]);
  });
});

describe('differential: mutations the API server accepts', () => {
  test.each(ACCEPTED.map(([kind, what, mutate]) => [kind, what, mutate] as const))('%s: %s', (kind, _what, mutate) => {
    const obj = baseFor(kind);
    expect(schemaFindings(obj)).toEqual([]);
    mutate(obj);
    expect(schemaFindings(obj)).toEqual([]);
  });
});
