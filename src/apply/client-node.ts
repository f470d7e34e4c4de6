// The names this project uses from @kubernetes/client-node, imported from their own modules: the package's
// index loads every generated API client (1.x is ESM-only; Node >= 20.19 requires ES modules without a
// flag). The build replaces this file's output with a bundle of just these names and what they need
// (scripts/build-client-node.js).
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { PatchStrategy } from '@kubernetes/client-node/dist/patch.js';
