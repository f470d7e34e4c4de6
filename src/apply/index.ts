// The apply engine: load -> validate -> order -> server-side apply in stages -> wait -> prune.
export * from './client';
export * from './kube-client';
export * from './retry';
export * from './order';
export * from './applyset';
export * from './secrets';
export * from './wait';
export * from './diff';
export * from './prune';
export * from './engine';
