// Importing this module registers every op's gradient rule.
export * from './elementwise';
export * from './linalg';
export * from './nn';
export * from './reduce';
export * from './shape';
export { emit, scalarLike } from './emit';
