// Services: ValidateService in pkg/apis/core/validation/validation.go, and the node port allocator.
import { checkNodePorts } from '../src/checks/apiserver';
import { base, table } from './apiserver-support';

const service = () => base('Service', (o) => o.spec.ports?.[0]?.name && o.spec.selector);

table('ValidateService: ports', service, [
  [
    'one port without a name',
    (o) => {
      delete o.spec.ports[0].name;
    },
    undefined,
  ],
  [
    'second named port',
    (o) => {
      o.spec.ports.push({ name: 'metrics', port: 9090 });
    },
    undefined,
  ],
  [
    'same port for UDP',
    (o) => {
      o.spec.ports.push({ ...o.spec.ports[0], name: 'udp', protocol: 'UDP' });
    },
    undefined,
  ],
  [
    'targetPort number',
    (o) => {
      o.spec.ports[0].targetPort = 8080;
    },
    undefined,
  ],
  [
    'port 70000',
    (o) => {
      o.spec.ports[0].port = 70000;
    },
    'schema/service-port',
  ],
  [
    'second port without names',
    (o) => {
      o.spec.ports = [{ port: 80 }, { port: 81 }];
    },
    'schema/service-port',
  ],
  [
    'duplicate name',
    (o) => {
      o.spec.ports.push({ ...o.spec.ports[0], port: 81 });
    },
    'schema/service-port',
  ],
  [
    'duplicate port/protocol',
    (o) => {
      o.spec.ports.push({ ...o.spec.ports[0], name: 'other' });
    },
    'schema/duplicate-key',
  ],
  [
    'name not a DNS label',
    (o) => {
      o.spec.ports[0].name = 'My_Port';
    },
    'schema/service-port',
  ],
  [
    'targetPort 0',
    (o) => {
      o.spec.ports[0].targetPort = 0;
    },
    'schema/service-port',
  ],
  [
    'targetPort name of 16 characters',
    (o) => {
      o.spec.ports[0].targetPort = 'a'.repeat(16);
    },
    'schema/service-port',
  ],
  [
    'no ports',
    (o) => {
      o.spec.ports = [];
    },
    'schema/service-port',
  ],
]);

table('ValidateService: type-dependent fields', service, [
  [
    'headless without ports',
    (o) => {
      o.spec.clusterIP = 'None';
      o.spec.ports = [];
    },
    undefined,
  ],
  [
    'NodePort in range',
    (o) => {
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 32767;
    },
    undefined,
  ],
  [
    'LoadBalancer with Local policy and health check port',
    (o) => {
      o.spec.type = 'LoadBalancer';
      o.spec.externalTrafficPolicy = 'Local';
      o.spec.healthCheckNodePort = 31000;
    },
    undefined,
  ],
  [
    'ExternalName',
    (o) => {
      o.spec = { type: 'ExternalName', externalName: 'db.example.com.' };
    },
    undefined,
  ],
  [
    'ClientIP affinity with a timeout',
    (o) => {
      o.spec.sessionAffinity = 'ClientIP';
      o.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 600 } };
    },
    undefined,
  ],
  [
    'nodePort on ClusterIP',
    (o) => {
      o.spec.ports[0].nodePort = 30080;
    },
    'schema/service-port',
  ],
  [
    'nodePort 29999',
    (o) => {
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 29999;
    },
    'schema/node-port-range',
  ],
  [
    'nodePort 70000',
    (o) => {
      o.spec.type = 'NodePort';
      o.spec.ports[0].nodePort = 70000;
    },
    'schema/service-port',
  ],
  [
    'clusterIP None with NodePort',
    (o) => {
      o.spec.type = 'NodePort';
      o.spec.clusterIP = 'None';
    },
    'schema/service',
  ],
  [
    'clusterIP not an IP',
    (o) => {
      o.spec.clusterIP = 'ten';
    },
    'schema/service',
  ],
  [
    'externalTrafficPolicy on ClusterIP',
    (o) => {
      o.spec.externalTrafficPolicy = 'Cluster';
    },
    'schema/service',
  ],
  [
    'healthCheckNodePort without Local',
    (o) => {
      o.spec.type = 'LoadBalancer';
      o.spec.healthCheckNodePort = 31000;
    },
    'schema/service',
  ],
  [
    'ExternalName without a name',
    (o) => {
      o.spec = { type: 'ExternalName' };
    },
    'schema/service',
  ],
  [
    'ExternalName not a DNS name',
    (o) => {
      o.spec = { type: 'ExternalName', externalName: 'db_host' };
    },
    'schema/service',
  ],
  [
    'sessionAffinityConfig without ClientIP',
    (o) => {
      o.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10 } };
    },
    'schema/service',
  ],
  [
    'affinity timeout 0',
    (o) => {
      o.spec.sessionAffinity = 'ClientIP';
      o.spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 0 } };
    },
    'schema/service',
  ],
  [
    'loadBalancerSourceRanges on ClusterIP',
    (o) => {
      o.spec.loadBalancerSourceRanges = ['10.0.0.0/8'];
    },
    'schema/service',
  ],
  [
    'loadBalancerSourceRanges not a CIDR',
    (o) => {
      o.spec.type = 'LoadBalancer';
      o.spec.loadBalancerSourceRanges = ['10.0.0.0'];
    },
    'schema/service',
  ],
  [
    'externalIPs not an IP',
    (o) => {
      o.spec.externalIPs = ['host'];
    },
    'schema/service',
  ],
  [
    'selector value too long',
    (o) => {
      o.spec.selector = { app: 'a'.repeat(64) };
    },
    'schema/label',
  ],
]);

test('the node port allocator: one nodePort per cluster, whatever the protocol', () => {
  const svc = (name: string, ports: object[]) => ({
    ...service(),
    metadata: { name, namespace: 'ns' },
    spec: { type: 'NodePort', ports },
  });
  expect(
    checkNodePorts([
      svc('a', [
        { name: 'tcp', port: 53, nodePort: 30053 },
        { name: 'udp', port: 53, protocol: 'UDP', nodePort: 30053 },
      ]),
    ]),
  ).toEqual([]);
  expect(
    checkNodePorts([svc('a', [{ port: 80, nodePort: 30080 }]), svc('b', [{ port: 80, nodePort: 30080 }])]).map(
      (f) => f.rule,
    ),
  ).toEqual(['schema/node-port-conflict']);
});
