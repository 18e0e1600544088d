import type { Config } from '../../../config.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { RemoteStoreOptions } from './remote-store.ts';

/** The remote store's options from the settings; undefined when metrics stay in the embedded store. */
export function remoteStoreOptions(
  config: Pick<
    Config,
    | 'metricsRemoteWriteUrl'
    | 'metricsRemoteQueryUrl'
    | 'metricsRemoteBearerToken'
    | 'metricsRemoteBasicAuth'
    | 'metricsRemoteHeaders'
    | 'metricsRemoteTimeoutMs'
  >,
  clock: Clock,
): RemoteStoreOptions | undefined {
  if (!config.metricsRemoteWriteUrl || !config.metricsRemoteQueryUrl) return undefined;
  const basic = config.metricsRemoteBasicAuth;
  const colon = basic.indexOf(':');
  return {
    writeUrl: config.metricsRemoteWriteUrl,
    queryUrl: config.metricsRemoteQueryUrl,
    headers: config.metricsRemoteHeaders,
    bearerToken: config.metricsRemoteBearerToken || undefined,
    basicAuth: basic ? { username: basic.slice(0, colon), password: basic.slice(colon + 1) } : undefined,
    timeoutMs: config.metricsRemoteTimeoutMs,
    clock,
  };
}
