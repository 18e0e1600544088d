import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (...args: string[]) => spawnSync(process.execPath, ['sim/cli.ts', ...args], { encoding: 'utf8' });

describe('sim CLI', () => {
  it('prints help, lists the scenarios and prints ground truth as JSON', () => {
    expect(run('--help').stdout).toContain('sim run [options]');
    const list = JSON.parse(
      execFileSync(process.execPath, ['sim/cli.ts', 'list-scenarios', '--json'], { encoding: 'utf8' }),
    );
    expect(list.scenarios.length).toBeGreaterThanOrEqual(12);
    expect(list.hosts['web-01']).toContain('storefront');
    const truth = run(
      'truth',
      '--scenario',
      'bad-deploy',
      '--seed',
      '42',
      '--start',
      '2026-01-07T02:00:00Z',
      '--at',
      '+10m',
    );
    expect(truth.status).toBe(0);
    const [t] = JSON.parse(truth.stdout);
    expect(t.scenario).toBe('bad-deploy');
    expect(t.faultStart).toBe(Date.parse('2026-01-07T02:10:00Z'));
    expect(t.impactStart).toBeGreaterThanOrEqual(t.faultStart);
  });

  it('refuses an unknown scenario with a message and exit code 2', () => {
    const res = run('truth', '--scenario', 'meteor-strike');
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/Unknown scenario "meteor-strike"\. Known: cpu-saturation/);
  });
});
