// The manifest model, the bottom layer: Kubernetes objects as data. `../manifest` names its core, objects and
// their parsing (kube-object.ts) and references and identity keys (ref.ts); the rest of the model is imported
// by file: findings, exceptions, selectors, needs, labels, names, quantities, image references, input loading.
// Everything above imports from here; nothing here imports from above (test/layers.test.ts).
export * from './kube-object';
export * from './ref';
export * from './read';
