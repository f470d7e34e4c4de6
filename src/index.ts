// The public API of workshop-stacks.
export * from './profile';
export * from './validation';
export * from './stack-chart';
export * from './security';
export * from './resources';
export * from './image';
export * from './pod';
export * from './workload';
export * from './network';
export * from './manifest';
export * from './checks';
export * from '../constructs/dockercoins';
export * from '../constructs/webconsole';
export * from '../constructs/webconsole-job';
export * from '../constructs/consolehub';
export * from '../constructs/api-gateway';
export * from '../constructs/trending-repos';
