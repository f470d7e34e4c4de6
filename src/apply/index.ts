/**
 * `workshop-stacks/apply`: the apply engine behind `workshop-stacks apply | diff | delete`: server-side apply
 * in stages with an apply set, prune, wait, diff and delete, over a {@link KubeClient} (the real one from
 * {@link createKubeClient}, or your own).
 *
 * @packageDocumentation
 */
export {
  ApplyEngine,
  FIELD_MANAGER,
  DEFAULT_CONCURRENCY,
  type EngineOptions,
  type ApplyInput,
  type DeleteInput,
  type DiffInput,
} from './engine';
export type { ManifestInput } from './plan';
export type { ObjectAction, ObjectResult, ObjectDiff, EngineReport, EngineEvent, TimedOut } from './report';
export { createKubeClient, type KubeClientOptions, type ClusterAccess, type ClusterClient } from './http-kube-client';
export {
  KubeApiError,
  ConnectionError,
  type KubeClient,
  type ResourceInfo,
  type ServerSideApplyOptions,
  type DeleteObjectOptions,
  type ListOptions,
  type TokenRequestOptions,
  type ServiceAccountToken,
  type StatusCause,
  type KubeStatus,
} from './kube-api';
export type { EnvSecretSpec } from './secrets';
export type { RetryOptions } from './retry';
export type { ApplySetRef } from './applyset';
export type { WaitResult, Readiness } from './wait';
export type { StageName } from './order';
export type { Problem } from '../checks/documents';
export { loadSources, InputError, type LoadOptions, type NamedInputs } from '../manifest/load';
export type { ObjectRef } from '../manifest/ref';
export type { KubeObject, SourceDocument } from '../manifest/kube-object';
export { parseDocuments } from '../manifest/read';
