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
export * from './apply';
export * from '../constructs/dockercoins';
