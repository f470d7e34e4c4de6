import { ApiObject, App, Chart } from 'cdk8s';
import { declareExternal } from '../src/manifest/exceptions';
import { Finding } from '../src/manifest/finding';
import { checkReferences } from '../src/checks/references';
import { checkGatewayRoutes } from '../src/checks/routes';
import { KubeObject } from '../src/manifest';

// Objects refer to one another by name; what they name must be among the inputs (or be declared
// external, or be built into every cluster), where the referring object can reach it.

const service = (name: string, namespace = 'shop', ports: object[] = [{ name: 'http', port: 80 }]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace },
  spec: { ports },
});
const brief = (findings: Finding[]) => findings.map((f) => `${f.field}: [${f.rule}] ${f.message}`);

/** An object as `declareExternal` leaves it: with the annotation, through cdk8s. */
function withExternal(obj: KubeObject, kind: string, name: string): KubeObject {
  const api = new ApiObject(new Chart(new App(), 'c'), 'o', obj);
  declareExternal(api, kind, name);
  return api.toJson() as KubeObject;
}

describe("Ingress backends name a Service of the Ingress's namespace, on a port it exposes", () => {
  const ingress = (spec: object, namespace: string | null = 'shop'): KubeObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'in', ...(namespace !== null && { namespace }) },
    spec,
  });
  const path = (name: string, port: object) => ({
    rules: [
      { host: 'a.example', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port } } }] } },
    ],
  });

  test.each<[string, KubeObject[], string[]]>([
    ['a path to a Service by port number', [ingress(path('web', { number: 80 })), service('web')], []],
    ['a path to a Service by port name', [ingress(path('web', { name: 'http' })), service('web')], []],
    [
      'a default backend',
      [ingress({ defaultBackend: { service: { name: 'web', port: { number: 80 } } } }), service('web')],
      [],
    ],
    [
      'a resource backend is not a Service',
      [ingress({ defaultBackend: { resource: { apiGroup: 'x.io', kind: 'Bucket', name: 'b' } } })],
      [],
    ],
    [
      'a Service declared external on the Ingress',
      [withExternal(ingress(path('web', { number: 80 })), 'Service', 'web')],
      [],
    ],
    [
      'a Service that is not in the inputs',
      [ingress(path('web', { number: 80 }))],
      [
        'spec.rules[0].http.paths[0].backend.service: [wiring/ingress-backend] routes to Service shop/web, which is not in the manifests (declare it external if it is created elsewhere)',
      ],
    ],
    [
      'a missing default backend',
      [ingress({ defaultBackend: { service: { name: 'web', port: { number: 80 } } } })],
      [
        'spec.defaultBackend.service: [wiring/ingress-backend] routes to Service shop/web, which is not in the manifests (declare it external if it is created elsewhere)',
      ],
    ],
    [
      'a Service of another namespace',
      [ingress(path('web', { number: 80 })), service('web', 'coins')],
      [
        'spec.rules[0].http.paths[0].backend.service: [wiring/ingress-backend] routes to Service shop/web, which is not in the manifests (declare it external if it is created elsewhere); there is one in namespace coins (an Ingress routes only to Services of its own namespace)',
      ],
    ],
    [
      'a port number the Service does not expose',
      [ingress(path('web', { number: 8080 })), service('web')],
      [
        'spec.rules[0].http.paths[0].backend.service: [wiring/ingress-backend] routes to port 8080 of Service shop/web, which exposes http',
      ],
    ],
    [
      'a port name the Service does not have',
      [ingress(path('web', { name: 'https' })), service('web')],
      [
        'spec.rules[0].http.paths[0].backend.service: [wiring/ingress-backend] routes to port https of Service shop/web, which exposes http',
      ],
    ],
    [
      'an Ingress without a namespace is in default',
      [ingress(path('web', { number: 80 }), null), service('web', 'default')],
      [],
    ],
    [
      "wrong types are the schema's to report, not a crash",
      [ingress({ rules: 'x', defaultBackend: [] }), ingress({ rules: [{ http: { paths: {} } }] })],
      [],
    ],
    [
      'an Ingress of another group is not read',
      [{ ...ingress(path('web', { number: 80 })), apiVersion: 'extensions/v1beta1' }],
      [],
    ],
  ])('%s', (_name, objects, expected) => {
    expect(brief(checkGatewayRoutes(objects))).toEqual(expected);
  });
});

describe('HTTPRoute backendRefs name a Service of the inputs; in another namespace, one a ReferenceGrant allows', () => {
  const route = (ref: object): KubeObject => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'gw' },
    spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ port: 80, ...ref }] }] },
  });
  const grant = (namespace: string, from: object, to: object): KubeObject => ({
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: 'g', namespace },
    spec: { from: [from], to: [to] },
  });
  const fromRoutes = (namespace = 'gw') => ({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace });
  const toService = (name?: string) => ({ group: '', kind: 'Service', ...(name && { name }) });
  const refused = [
    'spec.rules[0].backendRefs[0]: [wiring/gateway-route-service] routes to Service shop/web, in another namespace: no ReferenceGrant of the manifests in namespace shop allows HTTPRoutes of namespace gw to reach it (Gateway API refuses the reference without one)',
  ];

  test.each<[string, KubeObject[], string[]]>([
    ["a Service of the route's namespace", [route({ name: 'web' }), service('web', 'gw')], []],
    [
      'a Service that is not in the inputs',
      [route({ name: 'web' })],
      [
        'spec.rules[0].backendRefs[0]: [wiring/gateway-route-service] routes to Service gw/web, which is not in the manifests (declare it external if it is created elsewhere)',
      ],
    ],
    ['a Service declared external on the route', [withExternal(route({ name: 'web' }), 'Service', 'web')], []],
    [
      'a port the Service does not expose',
      [route({ name: 'web', port: 81 }), service('web', 'gw')],
      [
        'spec.rules[0].backendRefs[0]: [wiring/gateway-route-service] routes to port 81 of Service gw/web, which exposes http',
      ],
    ],
    [
      'another namespace, granted for this Service',
      [route({ name: 'web', namespace: 'shop' }), service('web'), grant('shop', fromRoutes(), toService('web'))],
      [],
    ],
    [
      'another namespace, granted for every Service',
      [route({ name: 'web', namespace: 'shop' }), service('web'), grant('shop', fromRoutes(), toService())],
      [],
    ],
    ['another namespace without a grant', [route({ name: 'web', namespace: 'shop' }), service('web')], refused],
    [
      'a grant for another Service',
      [route({ name: 'web', namespace: 'shop' }), service('web'), grant('shop', fromRoutes(), toService('db'))],
      refused,
    ],
    [
      'a grant to routes of another namespace',
      [route({ name: 'web', namespace: 'shop' }), service('web'), grant('shop', fromRoutes('other'), toService())],
      refused,
    ],
    [
      'a grant in the wrong namespace',
      [route({ name: 'web', namespace: 'shop' }), service('web'), grant('gw', fromRoutes(), toService())],
      refused,
    ],
    [
      'a grant from another kind of route',
      [
        route({ name: 'web', namespace: 'shop' }),
        service('web'),
        grant('shop', { ...fromRoutes(), kind: 'GRPCRoute' }, toService()),
      ],
      refused,
    ],
    ['a backend that is not a Service is not looked for', [route({ name: 'b', group: 'x.io', kind: 'Bucket' })], []],
    [
      "wrong types are the schema's to report, not a crash",
      [
        { ...route({}), spec: { rules: { backendRefs: 1 } } },
        { ...route({}), spec: { rules: [{ backendRefs: 'x' }] } },
      ],
      [],
    ],
  ])('%s', (_name, objects, expected) => {
    expect(brief(checkGatewayRoutes(objects))).toEqual(expected);
  });
});

describe('bindings name a Role or ClusterRole of the inputs, built in, or declared external', () => {
  const rbac = 'rbac.authorization.k8s.io/v1';
  const role: KubeObject = {
    apiVersion: rbac,
    kind: 'Role',
    metadata: { name: 'reader', namespace: 'shop' },
    rules: [],
  };
  const clusterRole: KubeObject = {
    apiVersion: rbac,
    kind: 'ClusterRole',
    metadata: { name: 'crd-reader' },
    rules: [],
  };
  const binding = (kind: 'RoleBinding' | 'ClusterRoleBinding', roleRef: object): KubeObject => ({
    apiVersion: rbac,
    kind,
    metadata: { name: 'b', ...(kind === 'RoleBinding' && { namespace: 'shop' }) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects: [],
  });
  const missing = (what: string) => [
    `roleRef: [wiring/role-binding-role] ${what} is not in the manifests, nor built in (declare it external if it is created elsewhere)`,
  ];

  test.each<[string, KubeObject[], string[]]>([
    ["a Role of the binding's namespace", [binding('RoleBinding', { kind: 'Role', name: 'reader' }), role], []],
    [
      'a Role that is not in the inputs',
      [binding('RoleBinding', { kind: 'Role', name: 'reader' })],
      missing('Role shop/reader'),
    ],
    [
      'a Role of another namespace',
      [
        binding('RoleBinding', { kind: 'Role', name: 'reader' }),
        { ...role, metadata: { name: 'reader', namespace: 'coins' } },
      ],
      missing('Role shop/reader'),
    ],
    [
      'a Role declared external on the binding',
      [withExternal(binding('RoleBinding', { kind: 'Role', name: 'reader' }), 'Role', 'reader')],
      [],
    ],
    [
      'a ClusterRole of the inputs, from a RoleBinding',
      [binding('RoleBinding', { kind: 'ClusterRole', name: 'crd-reader' }), clusterRole],
      [],
    ],
    [
      'a ClusterRole of the inputs, from a ClusterRoleBinding',
      [binding('ClusterRoleBinding', { kind: 'ClusterRole', name: 'crd-reader' }), clusterRole],
      [],
    ],
    [
      'a ClusterRole that is not in the inputs',
      [binding('ClusterRoleBinding', { kind: 'ClusterRole', name: 'crd-reader' })],
      missing('ClusterRole crd-reader'),
    ],
    [
      'a ClusterRole declared external',
      [
        withExternal(
          binding('ClusterRoleBinding', { kind: 'ClusterRole', name: 'crd-reader' }),
          'ClusterRole',
          'crd-reader',
        ),
      ],
      [],
    ],
    ...['view', 'edit', 'admin', 'cluster-admin', 'system:auth-delegator', 'system:node-proxier'].map(
      (name): [string, KubeObject[], string[]] => [
        `the built-in ClusterRole ${name}`,
        [
          binding('RoleBinding', { kind: 'ClusterRole', name }),
          binding('ClusterRoleBinding', { kind: 'ClusterRole', name }),
        ].map((b, i) => ({ ...b, metadata: { ...b.metadata, name: `b${i}` } })),
        [],
      ],
    ),
    [
      'a Role named like a built-in ClusterRole is not built in',
      [binding('RoleBinding', { kind: 'Role', name: 'view' })],
      missing('Role shop/view'),
    ],
    [
      "wrong types are the schema's to report, not a crash",
      [
        binding('RoleBinding', { kind: 'Role', name: 7 }),
        { ...binding('RoleBinding', { kind: 'Role', name: 'reader' }), subjects: 'x' },
        role,
      ],
      [],
    ],
  ])('%s', (_name, objects, expected) => {
    expect(brief(checkReferences(objects))).toEqual(expected);
  });
});
