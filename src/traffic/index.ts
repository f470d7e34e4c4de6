export * from './ports';
export * from './ip';
export * from './model';
export * from './analyze';
export * from './format';
export * from './needs';
export * from './needs-check';
