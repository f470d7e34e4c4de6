export * from './finding';
export * from './pss';
export * from './schema';
export * from './wiring';
