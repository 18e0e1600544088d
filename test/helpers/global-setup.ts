import type { TestProject } from 'vitest/node';
import { findPgBin, startPgCluster } from './pg-cluster.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of a PostgreSQL server for tests, or '' when none could be had. */
    pgAdminUrl: string;
  }
}

/**
 * One throwaway PostgreSQL cluster for the whole test run, unless STEADY_TEST_PG_URL names a server.
 * Without one, PostgreSQL suites are skipped loudly, and under CI the run fails instead.
 */
export default async function setup(project: TestProject) {
  const given = process.env.STEADY_TEST_PG_URL;
  if (given) {
    project.provide('pgAdminUrl', given);
    return;
  }
  const bin = findPgBin();
  if (!bin) {
    const why = 'no PostgreSQL binaries under /usr/lib/postgresql and STEADY_TEST_PG_URL is not set';
    if (process.env.CI) throw new Error(`PostgreSQL test suites cannot run: ${why}`);
    console.warn(`\n!!! SKIPPING every PostgreSQL suite: ${why} !!!\n`);
    project.provide('pgAdminUrl', '');
    return;
  }
  const cluster = await startPgCluster(bin, { durable: false });
  project.provide('pgAdminUrl', cluster.url);
  return () => cluster.stop();
}
