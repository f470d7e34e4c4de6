// The manifest model, the bottom layer: Kubernetes objects as data (parsing, references and identity keys,
// label selectors, names, quantities, image references, the labels and annotations the library writes, the
// findings reported about objects). Everything above imports from here; nothing here imports from above.
export * from './kube-object';
export * from './ref';
