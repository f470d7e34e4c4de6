/** Ingresses: ValidateIngressSpec and what it calls in pkg/apis/networking/validation/validation.go (v1.33). */
import { Fail, check, dns1035Label, dns1123Subdomain, parseIp, portName, portNumber } from './util';

const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

interface Backend {
  service?: { name?: string; port?: { name?: string; number?: number } };
  resource?: object;
}

export function validateIngress(spec: Record<string, any>, fail: Fail): void {
  const rules: Array<Record<string, any>> = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend)
    fail('spec', 'ingress', 'either `defaultBackend` or `rules` must be specified');
  if (spec.defaultBackend) validateBackend(spec.defaultBackend, 'spec.defaultBackend', fail);
  check(fail, 'spec.ingressClassName', spec.ingressClassName, dns1123Subdomain, 'ingress');
  rules.forEach((rule, i) => {
    const at = `spec.rules[${i}]`;
    if (rule.host !== undefined) host(rule.host, `${at}.host`, fail);
    if (!rule.http) return;
    const paths: Array<Record<string, any>> = rule.http.paths ?? [];
    if (paths.length === 0) fail(`${at}.http.paths`, 'ingress', 'is required');
    paths.forEach((p, j) => {
      const pathAt = `${at}.http.paths[${j}]`;
      validatePath(p.path, p.pathType, `${pathAt}.path`, fail);
      validateBackend(p.backend ?? {}, `${pathAt}.backend`, fail);
    });
  });
  ((spec.tls ?? []) as Array<{ hosts?: string[] }>).forEach((tls, i) =>
    (tls.hosts ?? []).forEach((h, j) => host(h, `spec.tls[${i}].hosts[${j}]`, fail)),
  );
}

/** validateIngressRules' host: a DNS subdomain, or `*.` and one; not an IP address. */
function host(h: string, field: string, fail: Fail): void {
  if (parseIp(h)) fail(field, 'ingress', 'must be a DNS name, not an IP address');
  else check(fail, field, h.startsWith('*.') ? h.slice(2) : h, dns1123Subdomain, 'ingress');
}

/** validateHTTPIngressPath: Exact and Prefix paths absolute and normalised; any other path absolute when set. */
function validatePath(path: string | undefined, pathType: string, field: string, fail: Fail): void {
  if (pathType === 'Exact' || pathType === 'Prefix') {
    if (!path?.startsWith('/')) fail(field, 'ingress', 'must be an absolute path');
    else if (
      INVALID_PATH_SEQUENCES.some((s) => path.includes(s)) ||
      INVALID_PATH_SUFFIXES.some((s) => path.endsWith(s))
    ) {
      fail(
        field,
        'ingress',
        `must not contain ${INVALID_PATH_SEQUENCES.join(', ')} or end with ${INVALID_PATH_SUFFIXES.join(', ')}`,
      );
    }
  } else if (path && !path.startsWith('/')) fail(field, 'ingress', 'must be an absolute path');
}

/** validateIngressBackend: a service or a resource; a Service name and exactly one of port name and number. */
function validateBackend(backend: Backend, at: string, fail: Fail): void {
  if (!backend.service === !backend.resource) fail(at, 'ingress', 'must specify exactly one of service or resource');
  const service = backend.service;
  if (!service) return;
  if (!service.name) fail(`${at}.service.name`, 'ingress', 'is required');
  else check(fail, `${at}.service.name`, service.name, dns1035Label, 'ingress');
  const port = service.port ?? {};
  if ((port.name !== undefined && port.name !== '') === (port.number !== undefined && port.number !== 0))
    fail(`${at}.service.port`, 'ingress', 'must specify exactly one of name and number');
  else if (port.name) check(fail, `${at}.service.port.name`, port.name, portName, 'ingress');
  else if (port.number !== undefined && portNumber(port.number))
    fail(`${at}.service.port.number`, 'ingress', `${port.number} ${portNumber(port.number)}`);
}
