import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { describeEachEngine } from '../helpers/engines.ts';

describeEachEngine('smoke', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(engine);
  });
  afterAll(() => t?.close());

  it('creates a team as admin and lists it', async () => {
    const res = await t.admin.request({ method: 'POST', url: '/api/v1/teams', payload: { name: 'SRE' } });
    expect(res.statusCode).toBe(201);
    const list = await t.admin.request({ method: 'GET', url: '/api/v1/teams' });
    expect(list.json().items.map((x: { name: string }) => x.name)).toContain('SRE');
  });
});
