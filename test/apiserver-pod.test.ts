// Pod specs: ValidatePodSpec and what it calls in pkg/apis/core/validation/validation.go, and the keyed
// lists whose duplicate keys server-side apply rejects.
import { base, table } from './apiserver-support';

const deployment = () =>
  base('Deployment', (o) => {
    const c = o.spec.template.spec.containers[0];
    return c.ports?.length && c.livenessProbe?.httpGet && c.readinessProbe && c.securityContext && c.resources?.limits;
  });
const pod = (o: any) => o.spec.template.spec;
const c0 = (o: any) => pod(o).containers[0];

table('validateContainers: names, images, uniqueness across init containers', deployment, [
  [
    'second container with its own name',
    (o) => {
      pod(o).containers.push({ ...c0(o), name: 'side', ports: [] });
    },
    undefined,
  ],
  [
    'upper case name',
    (o) => {
      c0(o).name = 'Web';
    },
    'schema/container-name',
  ],
  [
    'duplicate name',
    (o) => {
      pod(o).containers.push({ ...c0(o), ports: [] });
    },
    'schema/container-name',
  ],
  [
    'init container named as a container',
    (o) => {
      pod(o).initContainers = [{ name: c0(o).name, image: 'busybox:1.36' }];
    },
    'schema/container-name',
  ],
  [
    'no containers',
    (o) => {
      pod(o).containers = [];
    },
    'schema/containers',
  ],
  [
    'empty image',
    (o) => {
      c0(o).image = '';
    },
    'schema/container',
  ],
  [
    'image with a trailing space (spared in templates)',
    (o) => {
      c0(o).image = 'web:1 ';
    },
    undefined,
  ],
  [
    'imagePullPolicy Sometimes',
    (o) => {
      c0(o).imagePullPolicy = 'Sometimes';
    },
    'schema/invalid',
  ], // an enum of the OpenAPI schema
]);

table('validateContainerPorts and AccumulateUniqueHostPorts', deployment, [
  [
    'same port for TCP and UDP',
    (o) => {
      c0(o).ports.push({ name: 'udp', containerPort: c0(o).ports[0].containerPort, protocol: 'UDP' });
    },
    undefined,
  ],
  [
    'containerPort 65535',
    (o) => {
      c0(o).ports[0].containerPort = 65535;
    },
    undefined,
  ],
  [
    'containerPort 70000',
    (o) => {
      c0(o).ports[0].containerPort = 70000;
    },
    'schema/port',
  ],
  [
    'protocol HTTP',
    (o) => {
      c0(o).ports[0].protocol = 'HTTP';
    },
    'schema/invalid',
  ], // an enum of the OpenAPI schema
  [
    'duplicate containerPort/protocol',
    (o) => {
      c0(o).ports.push({ ...c0(o).ports[0], name: 'other' });
    },
    'schema/duplicate-key',
  ],
  [
    'port name of 16 characters',
    (o) => {
      c0(o).ports[0].name = 'p'.repeat(16);
    },
    'schema/port-name',
  ],
  [
    'port name of digits',
    (o) => {
      c0(o).ports[0].name = '8080';
    },
    'schema/port-name',
  ],
  [
    'duplicate port name',
    (o) => {
      c0(o).ports.push({ ...c0(o).ports[0], containerPort: 9999 });
    },
    'schema/port-name',
  ],
  [
    'hostPort used twice',
    (o) => {
      pod(o).containers.push({ ...c0(o), name: 'side', ports: [{ containerPort: 1, hostPort: 8081 }] });
      c0(o).ports[0].hostPort = 8081;
    },
    'schema/port',
  ],
  [
    'hostNetwork with hostPort unlike containerPort',
    (o) => {
      pod(o).hostNetwork = true;
      c0(o).ports[0].hostPort = 1;
    },
    'schema/port',
  ],
]);

table('ValidateEnv, ValidateEnvFrom', deployment, [
  [
    'relaxed name with dots',
    (o) => {
      c0(o).env = [{ name: 'a.b-c', value: '1' }];
    },
    undefined,
  ],
  [
    'valueFrom fieldRef',
    (o) => {
      c0(o).env = [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }];
    },
    undefined,
  ],
  [
    'name with =',
    (o) => {
      c0(o).env = [{ name: 'A=B', value: '1' }];
    },
    'schema/env',
  ],
  [
    'duplicate name',
    (o) => {
      c0(o).env = [
        { name: 'A', value: '1' },
        { name: 'A', value: '2' },
      ];
    },
    'schema/duplicate-key',
  ],
  [
    'value and valueFrom',
    (o) => {
      c0(o).env = [{ name: 'A', value: '1', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }];
    },
    'schema/env',
  ],
  [
    'valueFrom with two sources',
    (o) => {
      c0(o).env = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'x' }, secretKeyRef: { name: 's', key: 'k' } } }];
    },
    'schema/env',
  ],
  [
    'secretKeyRef name not a subdomain',
    (o) => {
      c0(o).env = [{ name: 'A', valueFrom: { secretKeyRef: { name: 'My_Secret', key: 'k' } } }];
    },
    'schema/env',
  ],
  [
    'configMapRef without name',
    (o) => {
      c0(o).envFrom = [{ configMapRef: { name: '' } }];
    },
    'schema/env',
  ],
  [
    'envFrom with both refs',
    (o) => {
      c0(o).envFrom = [{ configMapRef: { name: 'a' }, secretRef: { name: 'b' } }];
    },
    'schema/env',
  ],
]);

table('ValidateVolumes and ValidateVolumeMounts', deployment, [
  [
    'mount of a defined volume',
    (o) => {
      pod(o).volumes = [{ name: 'tmp', emptyDir: {} }];
      c0(o).volumeMounts = [{ name: 'tmp', mountPath: '/tmp' }];
    },
    undefined,
  ],
  [
    'mount of no volume',
    (o) => {
      c0(o).volumeMounts = [{ name: 'ghost', mountPath: '/x' }];
    },
    'schema/volume-mount',
  ],
  [
    'duplicate mountPath',
    (o) => {
      pod(o).volumes = [
        { name: 'a', emptyDir: {} },
        { name: 'b', emptyDir: {} },
      ];
      c0(o).volumeMounts = [
        { name: 'a', mountPath: '/x' },
        { name: 'b', mountPath: '/x' },
      ];
    },
    'schema/duplicate-key',
  ],
  [
    'subPath escaping',
    (o) => {
      pod(o).volumes = [{ name: 'a', emptyDir: {} }];
      c0(o).volumeMounts = [{ name: 'a', mountPath: '/x', subPath: '../y' }];
    },
    'schema/volume',
  ],
  [
    'volume name upper case',
    (o) => {
      pod(o).volumes = [{ name: 'Data', emptyDir: {} }];
    },
    'schema/volume',
  ],
  [
    'duplicate volume',
    (o) => {
      pod(o).volumes = [
        { name: 'd', emptyDir: {} },
        { name: 'd', emptyDir: {} },
      ];
    },
    'schema/volume',
  ],
  [
    'two sources',
    (o) => {
      pod(o).volumes = [{ name: 'd', emptyDir: {}, secret: { secretName: 's' } }];
    },
    'schema/volume',
  ],
  [
    'no source',
    (o) => {
      pod(o).volumes = [{ name: 'd' }];
    },
    'schema/volume',
  ],
  [
    'configMap items with any key',
    (o) => {
      (pod(o).volumes ??= []).push({ name: 'd', configMap: { name: 'c', items: [{ key: 'a b', path: 'x/y' }] } });
    },
    undefined,
  ],
  [
    'secret volume without secretName',
    (o) => {
      pod(o).volumes = [{ name: 'd', secret: { secretName: '' } }];
    },
    'schema/volume',
  ],
  [
    'item without path',
    (o) => {
      pod(o).volumes = [{ name: 'd', configMap: { name: 'c', items: [{ key: 'k', path: '' }] } }];
    },
    'schema/volume',
  ],
  [
    'item mode 01000',
    (o) => {
      pod(o).volumes = [{ name: 'd', configMap: { name: 'c', items: [{ key: 'k', path: 'p', mode: 0o1000 }] } }];
    },
    'schema/volume',
  ],
  [
    'defaultMode 01000',
    (o) => {
      pod(o).volumes = [{ name: 'd', secret: { secretName: 's', defaultMode: 0o1000 } }];
    },
    'schema/volume',
  ],
]);

table('validateProbe, validateHandler, validateLifecycle', deployment, [
  [
    'startup probe with successThreshold 1',
    (o) => {
      c0(o).startupProbe = { tcpSocket: { port: 80 }, successThreshold: 1 };
    },
    undefined,
  ],
  [
    'readiness successThreshold 3',
    (o) => {
      c0(o).readinessProbe.successThreshold = 3;
    },
    undefined,
  ],
  [
    'preStop sleep',
    (o) => {
      c0(o).lifecycle = { preStop: { sleep: { seconds: 5 } } };
    },
    undefined,
  ],
  [
    'two handlers',
    (o) => {
      c0(o).livenessProbe.tcpSocket = { port: 80 };
    },
    'schema/probe',
  ],
  [
    'no handler',
    (o) => {
      c0(o).readinessProbe = { periodSeconds: 5 };
    },
    'schema/probe',
  ],
  [
    'negative initialDelaySeconds',
    (o) => {
      c0(o).livenessProbe.initialDelaySeconds = -1;
    },
    'schema/probe',
  ],
  [
    'liveness successThreshold 2',
    (o) => {
      c0(o).livenessProbe.successThreshold = 2;
    },
    'schema/probe',
  ],
  [
    'readiness terminationGracePeriodSeconds',
    (o) => {
      c0(o).readinessProbe.terminationGracePeriodSeconds = 5;
    },
    'schema/probe',
  ],
  [
    'httpGet port 0',
    (o) => {
      c0(o).livenessProbe.httpGet.port = 0;
    },
    'schema/probe',
  ],
  [
    'grpc port 70000',
    (o) => {
      c0(o).livenessProbe = { grpc: { port: 70000 } };
    },
    'schema/probe',
  ],
  [
    'probe on an init container',
    (o) => {
      pod(o).initContainers = [{ name: 'init', image: 'busybox:1.36', livenessProbe: { tcpSocket: { port: 1 } } }];
    },
    'schema/probe',
  ],
  [
    'postStart with two handlers',
    (o) => {
      c0(o).lifecycle = { postStart: { exec: { command: ['x'] }, sleep: { seconds: 1 } } };
    },
    'schema/probe',
  ],
]);

table('restartPolicy: container and init container (sidecars)', deployment, [
  [
    'sidecar init container',
    (o) => {
      pod(o).initContainers = [
        { name: 'proxy', image: 'envoy:1.30', restartPolicy: 'Always', readinessProbe: { tcpSocket: { port: 1 } } },
      ];
    },
    undefined,
  ],
  [
    'init container restartPolicy Never',
    (o) => {
      pod(o).initContainers = [{ name: 'init', image: 'busybox:1.36', restartPolicy: 'Never' }];
    },
    'schema/restart-policy',
  ],
  [
    'regular container restartPolicy',
    (o) => {
      c0(o).restartPolicy = 'Always';
    },
    'schema/restart-policy',
  ],
]);

table('ValidateSecurityContext, ValidatePodSecurityContext, validateSeccompProfileField', deployment, [
  [
    'runAsUser 0',
    (o) => {
      c0(o).securityContext.runAsUser = 0;
    },
    undefined,
  ],
  [
    'runAsUser -1',
    (o) => {
      c0(o).securityContext.runAsUser = -1;
    },
    'schema/security-context',
  ],
  [
    'runAsGroup 2^31',
    (o) => {
      c0(o).securityContext.runAsGroup = 2 ** 31;
    },
    'schema/security-context',
  ],
  [
    'pod fsGroup -1',
    (o) => {
      (pod(o).securityContext ??= {}).fsGroup = -1;
    },
    'schema/security-context',
  ],
  [
    'pod supplementalGroups -1',
    (o) => {
      (pod(o).securityContext ??= {}).supplementalGroups = [-1];
    },
    'schema/security-context',
  ],
  [
    'privileged without privilege escalation',
    (o) => {
      c0(o).securityContext.privileged = true;
    },
    'schema/security-context',
  ],
  [
    'SYS_ADMIN without privilege escalation',
    (o) => {
      c0(o).securityContext.capabilities.add = ['SYS_ADMIN'];
    },
    'schema/security-context',
  ],
  [
    'seccomp Localhost without profile',
    (o) => {
      c0(o).securityContext.seccompProfile = { type: 'Localhost' };
    },
    'schema/security-context',
  ],
  [
    'seccomp profile with RuntimeDefault',
    (o) => {
      c0(o).securityContext.seccompProfile = { type: 'RuntimeDefault', localhostProfile: 'x' };
    },
    'schema/security-context',
  ],
  [
    'procMount Sometimes',
    (o) => {
      c0(o).securityContext.procMount = 'Sometimes';
    },
    'schema/invalid',
  ], // an enum of the OpenAPI schema
]);

table('ValidateResourceRequirements', deployment, [
  [
    'hugepages and an extended resource',
    (o) => {
      c0(o).resources.limits['hugepages-2Mi'] = '0';
      c0(o).resources.limits['example.com/gpu'] = '1';
    },
    undefined,
  ],
  [
    'negative request',
    (o) => {
      c0(o).resources.requests.cpu = '-1';
    },
    'schema/resources',
  ],
  [
    'unknown resource',
    (o) => {
      c0(o).resources.limits.gpu = '1';
    },
    'schema/resources',
  ],
  [
    'request above limit',
    (o) => {
      c0(o).resources.requests.memory = '100Gi';
    },
    'schema/request-above-limit',
  ],
]);

table('ValidatePodSpec: pod-level fields', deployment, [
  [
    'dnsPolicy None with a nameserver',
    (o) => {
      pod(o).dnsPolicy = 'None';
      pod(o).dnsConfig = { nameservers: ['1.1.1.1'] };
    },
    undefined,
  ],
  [
    'toleration Exists without key',
    (o) => {
      pod(o).tolerations = [{ operator: 'Exists' }];
    },
    undefined,
  ],
  [
    'dnsPolicy None without nameservers',
    (o) => {
      pod(o).dnsPolicy = 'None';
    },
    'schema/pod',
  ],
  [
    'dnsPolicy Custom',
    (o) => {
      pod(o).dnsPolicy = 'Custom';
    },
    'schema/invalid',
  ], // an enum of the OpenAPI schema
  [
    'serviceAccountName with upper case',
    (o) => {
      pod(o).serviceAccountName = 'Robot';
    },
    'schema/pod',
  ],
  [
    'hostname with a dot',
    (o) => {
      pod(o).hostname = 'a.b';
    },
    'schema/pod',
  ],
  [
    'nodeSelector value too long',
    (o) => {
      pod(o).nodeSelector = { zone: 'z'.repeat(64) };
    },
    'schema/label',
  ],
  [
    'toleration Equal without key',
    (o) => {
      pod(o).tolerations = [{ operator: 'Equal', value: 'x' }];
    },
    'schema/pod',
  ],
  [
    'toleration effect Sometimes',
    (o) => {
      pod(o).tolerations = [{ key: 'k', operator: 'Exists', effect: 'Sometimes' }];
    },
    'schema/invalid',
  ], // an enum of the OpenAPI schema
  [
    'tolerationSeconds with NoSchedule',
    (o) => {
      pod(o).tolerations = [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }];
    },
    'schema/pod',
  ],
  [
    'topologySpreadConstraint maxSkew 0',
    (o) => {
      pod(o).topologySpreadConstraints = [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }];
    },
    'schema/pod',
  ],
  [
    'duplicate topology spread key',
    (o) => {
      const c = { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' };
      pod(o).topologySpreadConstraints = [c, { ...c, maxSkew: 2 }];
    },
    'schema/duplicate-key',
  ],
  [
    'duplicate imagePullSecret',
    (o) => {
      pod(o).imagePullSecrets = [{ name: 'a' }, { name: 'a' }];
    },
    'schema/duplicate-key',
  ],
]);

table('validateContainersOnlyForPod', () => base('Pod'), [
  [
    'image with a trailing space',
    (o) => {
      o.spec.containers[0].image = 'busybox:1.36 ';
    },
    'schema/container',
  ],
  [
    'no containers',
    (o) => {
      o.spec.containers = [];
    },
    'schema/containers',
  ],
  [
    'restartPolicy Never',
    (o) => {
      o.spec.restartPolicy = 'Never';
    },
    undefined,
  ],
  [
    'activeDeadlineSeconds 0',
    (o) => {
      o.spec.activeDeadlineSeconds = 0;
    },
    'schema/pod',
  ],
]);
