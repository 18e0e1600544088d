import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeSettings } from '../../src/config.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

it('README opens with the command that runs Steady and the one that runs the tests', () => {
  const firstBlock = readme.split('```')[1] ?? '';
  expect(firstBlock).toContain('npm ci && npm start');
  expect(firstBlock).toContain('npm test');
});

it("README's configuration reference is the settings table of the code", () => {
  const table = readme.split('<!-- settings:start -->')[1]?.split('<!-- settings:end -->')[0]?.trim();
  expect(table).toBe(describeSettings());
});
