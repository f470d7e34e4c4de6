// The names this project uses from @kubernetes/client-node (1.x is ESM-only; Node >= 20.19 requires ES
// modules without a flag). The build replaces this file's output with a bundle of just these names and
// what they need (`build` in package.json): the package's whole namespace takes about 1 s to load, the
// bundle a tenth of that.
export { KubeConfig, PatchStrategy } from '@kubernetes/client-node';
