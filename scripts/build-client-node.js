// Builds lib/src/apply/client-node.js: the part of @kubernetes/client-node the CLI uses (KubeConfig, with
// every authentication and proxy it supports, and PatchStrategy) as one CommonJS file, since 1.x is
// ESM-only and its whole namespace takes about 1 s to load.
//
// KubeConfig's module imports two things for methods the engine never calls, and they are most of the
// weight: the generated API clients and models (gen/index.js, for makeApiClient; about 330 KB) and
// node-fetch (for the Headers of applyToFetchOptions; with whatwg-url and tr46's Unicode tables about
// 300 KB). The bundle takes Node's own Headers instead of node-fetch's, and a makeApiClient that says it
// is left out. test/client-node-bundle.test.ts builds this bundle and checks what the engine relies on.
//
//   node scripts/build-client-node.js [outfile] [--metafile=FILE]
const path = require('path');
const esbuild = require('esbuild');

const ROOT = path.join(__dirname, '..');
const CONFIG_MODULE = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/;

const LEFT_OUT = `
const leftOut = () => {
  throw new Error('KubeConfig.makeApiClient: the generated API clients are left out of this bundle of client-node');
};
export const createConfiguration = leftOut;
export class ServerConfiguration { constructor() { leftOut(); } }
`;

// Node's Headers, looked up when first used: reading globalThis.Headers loads Node's fetch (undici).
const NODE_HEADERS = 'export function Headers(init) { return new globalThis.Headers(init); }';

/** Resolves KubeConfig's imports of node-fetch and of the generated clients to the small modules above. */
const leaveOutUnused = {
  name: 'leave-out-unused',
  setup(build) {
    build.onResolve({ filter: /^(node-fetch|\.\/gen\/index\.js)$/ }, (args) =>
      CONFIG_MODULE.test(args.importer) ? { path: args.path, namespace: 'left-out' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents: args.path === 'node-fetch' ? NODE_HEADERS : LEFT_OUT,
      loader: 'js',
    }));
  },
};

async function buildClientNode(outfile, { metafile } = {}) {
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, 'src', 'apply', 'client-node.ts')],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    allowOverwrite: true,
    metafile: Boolean(metafile),
    plugins: [leaveOutUnused],
  });
  if (metafile) require('fs').writeFileSync(metafile, JSON.stringify(result.metafile));
}

module.exports = { buildClientNode };

if (require.main === module) {
  const args = process.argv.slice(2);
  const metafile = args.find((a) => a.startsWith('--metafile='))?.slice('--metafile='.length);
  const outfile = args.find((a) => !a.startsWith('--')) ?? path.join(ROOT, 'lib', 'src', 'apply', 'client-node.js');
  buildClientNode(outfile, { metafile }).catch((error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  });
}
