// The apply engine: plan (normalize, apply set, stages, live state) -> apply in stages -> wait -> prune; diff; delete.
export * from './kube-api';
export * from './http-kube-client';
export * from './retry';
export * from './order';
export * from './applyset';
export * from './secrets';
export * from './wait';
export * from './normalize';
export * from './plan';
export * from './apply';
export * from './diff';
export * from './prune';
export * from './delete';
export * from './engine';
export * from './membership';
