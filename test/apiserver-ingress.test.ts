// Ingresses: ValidateIngressSpec, validateIngressRules, validateHTTPIngressPath and
// validateIngressBackend in pkg/apis/networking/validation/validation.go.
import { table } from './apiserver-support';

const ingress = () => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'ns' },
  spec: {
    ingressClassName: 'nginx',
    rules: [
      {
        host: 'web.example.com',
        http: {
          paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }],
        },
      },
    ],
  },
});
const path0 = (o: any) => o.spec.rules[0].http.paths[0];

table('ValidateIngressSpec', ingress, [
  [
    'wildcard host',
    (o) => {
      o.spec.rules[0].host = '*.example.com';
    },
    undefined,
  ],
  [
    'named port',
    (o) => {
      path0(o).backend.service.port = { name: 'http' };
    },
    undefined,
  ],
  [
    'ImplementationSpecific without path',
    (o) => {
      path0(o).pathType = 'ImplementationSpecific';
      delete path0(o).path;
    },
    undefined,
  ],
  [
    'default backend only',
    (o) => {
      o.spec = { defaultBackend: { service: { name: 'web', port: { number: 80 } } } };
    },
    undefined,
  ],
  [
    'no rules and no default backend',
    (o) => {
      o.spec = {};
    },
    'schema/ingress',
  ],
  [
    'host is an IP',
    (o) => {
      o.spec.rules[0].host = '10.0.0.1';
    },
    'schema/ingress',
  ],
  [
    'host with upper case',
    (o) => {
      o.spec.rules[0].host = 'Web.example.com';
    },
    'schema/ingress',
  ],
  [
    'TLS host invalid',
    (o) => {
      o.spec.tls = [{ hosts: ['a_b.example.com'] }];
    },
    'schema/ingress',
  ],
  [
    'pathType Regex',
    (o) => {
      path0(o).pathType = 'Regex';
    },
    'schema/invalid',
  ], // an enum of the OpenAPI schema
  [
    'relative Prefix path',
    (o) => {
      path0(o).path = 'api';
    },
    'schema/ingress',
  ],
  [
    'Exact path with //',
    (o) => {
      path0(o).pathType = 'Exact';
      path0(o).path = '/a//b';
    },
    'schema/ingress',
  ],
  [
    'no paths',
    (o) => {
      o.spec.rules[0].http.paths = [];
    },
    'schema/ingress',
  ],
  [
    'Service name with a dot',
    (o) => {
      path0(o).backend.service.name = 'web.v2';
    },
    'schema/ingress',
  ],
  [
    'port with name and number',
    (o) => {
      path0(o).backend.service.port = { name: 'http', number: 80 };
    },
    'schema/ingress',
  ],
  [
    'port 70000',
    (o) => {
      path0(o).backend.service.port = { number: 70000 };
    },
    'schema/ingress',
  ],
  [
    'port name invalid',
    (o) => {
      path0(o).backend.service.port = { name: 'HTTP_PORT' };
    },
    'schema/ingress',
  ],
  [
    'ingressClassName invalid',
    (o) => {
      o.spec.ingressClassName = 'Nginx';
    },
    'schema/ingress',
  ],
]);
