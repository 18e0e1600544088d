export {
  createRemoteMetricStore,
  type QueryableMetricStore,
  type RemoteStoreOptions,
} from './remote-store.ts';
export { remoteStoreOptions } from './settings.ts';
