import { describe, expect, it } from 'vitest';
import { checkJsonAssertion, evaluateJsonPath, parseJsonPath } from './json-path.ts';

describe('JSON path subset', () => {
  const doc = {
    data: { items: [{ status: 'ok', n: 3 }, { status: 'bad' }], 'order-id': 'A1', count: '200' },
  };

  it('parses dots, quoted names and indexes', () => {
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('$.data.items[0].status')).toEqual(['data', 'items', 0, 'status']);
    expect(parseJsonPath(`$['order-id']["a b"][-1]`)).toEqual(['order-id', 'a b', -1]);
  });

  it('refuses what it does not support, saying where', () => {
    expect(() => parseJsonPath('data.x')).toThrow(/must start with "\$"/);
    expect(() => parseJsonPath('$.items[*]')).toThrow(/wildcards and filters are not supported/);
    expect(() => parseJsonPath('$..x')).toThrow(/property name after "." at position 2/);
  });

  it('walks to values; a missing step is undefined', () => {
    expect(evaluateJsonPath(doc, parseJsonPath('$.data.items[-1].status'))).toBe('bad');
    expect(evaluateJsonPath(doc, parseJsonPath('$.data.items[5]'))).toBeUndefined();
    expect(evaluateJsonPath(doc, parseJsonPath('$.data.nope.x'))).toBeUndefined();
    expect(evaluateJsonPath(doc, parseJsonPath('$.data.items.length'))).toBeUndefined();
  });

  it('checks operators with reasons', () => {
    expect(checkJsonAssertion(doc, { path: '$.data.items[0].status', op: '==', value: 'ok' })).toBeNull();
    expect(checkJsonAssertion(doc, { path: '$.data.count', op: '==', value: 200 })).toBeNull();
    expect(checkJsonAssertion(doc, { path: '$.data.items[1].status', op: '==', value: 'ok' })).toBe(
      'JSON $.data.items[1].status is "bad", expected "ok"',
    );
    expect(checkJsonAssertion(doc, { path: '$.data.items[0].n', op: '>=', value: 3 })).toBeNull();
    expect(checkJsonAssertion(doc, { path: '$.data.items[0].n', op: '<', value: 3 })).toMatch(/expected < 3/);
    expect(checkJsonAssertion(doc, { path: '$.data.items[0].status', op: '<', value: 3 })).toMatch(
      /not a number/,
    );
    expect(checkJsonAssertion(doc, { path: '$.data.x', op: 'exists' })).toMatch(/does not exist/);
    expect(checkJsonAssertion(doc, { path: '$.data.x', op: 'absent' })).toBeNull();
    expect(checkJsonAssertion(doc, { path: '$.data.order-id', op: 'matches', value: '^A\\d$' })).toBeNull();
    expect(checkJsonAssertion(doc, { path: "$.data['order-id']", op: 'contains', value: 'A' })).toBeNull();
    expect(
      checkJsonAssertion({ tags: ['a', 'b'] }, { path: '$.tags', op: 'contains', value: 'b' }),
    ).toBeNull();
    expect(checkJsonAssertion(doc, { path: '$.data.items[0].status', op: '!=', value: 'ok' })).toMatch(
      /anything else/,
    );
  });
});
