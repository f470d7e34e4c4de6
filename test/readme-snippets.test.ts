import { formatFinding, validateObjects } from '../src/checks';
import { KubeObject, SourceDocument } from '../src/manifest';
import { readmeSnippets } from './readme-snippets';
import { runUserApp } from './run-app';

// Every ```ts block of README.md runs as a user's app against the library's source, and what it
// synthesizes passes `validate`: a snippet that compiles but writes broken manifests fails here. (That
// each block also compiles against the packed library is test/e2e/readme.test.ts.)

/** The apply engine of the "From code" snippet, without a cluster: it keeps what the snippet gives it. */
function recordingEngine(applied: KubeObject[][]) {
  return {
    createKubeClient: async () => ({}),
    ApplyEngine: class {
      async apply(request: { documents: SourceDocument[] }) {
        applied.push(request.documents.map((d) => d.value as KubeObject));
        return { ok: true };
      }
    },
  };
}

/** Ingress backends that name no Service of the Ingress's own namespace: an Ingress cannot reach another namespace. */
function ingressBackendsElsewhere(objects: KubeObject[]): string[] {
  const services = new Set(
    objects.filter((o) => o.kind === 'Service').map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
  );
  return objects
    .filter((o) => o.kind === 'Ingress')
    .flatMap((ingress) => {
      const spec = ingress.spec as any;
      const backends = [
        spec.defaultBackend,
        ...(spec.rules ?? []).flatMap((r: any) => (r.http?.paths ?? []).map((p: any) => p.backend)),
      ];
      return backends
        .filter((b) => b?.service)
        .map((b) => `${ingress.metadata.namespace}/${b.service.name}`)
        .filter((name) => !services.has(name))
        .map((name) => `Ingress ${ingress.metadata.namespace}/${ingress.metadata.name} -> Service ${name}`);
    });
}

describe('README.md snippets, run', () => {
  test.each(readmeSnippets().map((s) => [s.line, s.code]))(
    'the block at line %i synthesizes objects that pass validate',
    async (_, code) => {
      const applied: KubeObject[][] = [];
      const written = await runUserApp(code, { replace: recordingEngine(applied) });
      const objects = [...written, ...applied.flat()];
      expect(objects.length).toBeGreaterThan(0);
      expect(validateObjects(objects).findings.map(formatFinding)).toEqual([]);
      expect(ingressBackendsElsewhere(objects)).toEqual([]);
    },
  );
});
