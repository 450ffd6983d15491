import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countByClass, EngineConfigError } from '../../src/engine/distribution.js';
import { filterTasks, selectClasses, TaskPicker } from '../../src/engine/task-picker.js';
import type { TaskDef } from '../../src/engine/user-class.js';
import { cls, harness, logTask, type Ctx } from '../helpers/engine-harness.js';
import { until } from '../helpers/until.js';

describe('task choice', () => {
  it('picks tasks in proportion to their weights, never a weight-0 task', () => {
    const picker = new TaskPicker<Ctx>('C', [logTask('a', 1), logTask('never', 0), logTask('b', 3)]);
    const counts: Record<string, number> = {};
    const n = 400;
    for (let i = 0; i < n; i++) {
      const t = picker.pick(i / n);
      counts[t.name] = (counts[t.name] ?? 0) + 1;
    }
    assert.deepEqual(counts, { a: 100, b: 300 });
  });

  it('coverEveryTaskFirst: the first picks run each task of weight above 0 once, in order, then weights rule', () => {
    const picker = new TaskPicker<Ctx>('C', [logTask('a', 1), logTask('never', 0), logTask('b', 3), logTask('c', 1)], true);
    // The same random number each time: without the first pass it would pick one task only.
    assert.deepEqual([0, 1, 2].map(() => picker.pick(0.99).name), ['a', 'b', 'c']);
    assert.deepEqual([0, 1].map(() => picker.pick(0.99).name), ['c', 'c']);
  });

  it('rejects negative weights and classes without a pickable task', () => {
    assert.throws(() => new TaskPicker<Ctx>('C', [logTask('a', -1)]), EngineConfigError);
    assert.throws(() => new TaskPicker<Ctx>('C', [logTask('a', 0)]), EngineConfigError);
    assert.throws(() => new TaskPicker<Ctx>('C', []), EngineConfigError);
  });

  it('filters by tags: include keeps any match, exclude drops any match', () => {
    const tasks: TaskDef<Ctx>[] = [
      { name: 'read', tags: ['read'], run: () => {} },
      { name: 'write', tags: ['write', 'slow'], run: () => {} },
      { name: 'untagged', run: () => {} },
    ];
    const names = (ts: TaskDef<Ctx>[]) => ts.map((t) => t.name);
    assert.deepEqual(names(filterTasks(tasks)), ['read', 'write', 'untagged']);
    assert.deepEqual(names(filterTasks(tasks, ['read', 'write'])), ['read', 'write']);
    assert.deepEqual(names(filterTasks(tasks, undefined, ['slow'])), ['read', 'untagged']);
    assert.deepEqual(names(filterTasks(tasks, ['write'], ['slow'])), []);
  });

  it('drops the classes that tag filtering leaves without tasks, and names them', () => {
    const readers = cls('Readers', { tasks: [{ name: 'r', tags: ['read'], run: () => {} }] });
    const writers = cls('Writers', { tasks: [{ name: 'w', tags: ['write'], run: () => {} }] });
    const picked = selectClasses([readers, writers], ['read']);
    assert.deepEqual(
      picked.classes.map((c) => c.name),
      ['Readers'],
    );
    assert.deepEqual(picked.dropped, ['Writers']);
    assert.throws(() => selectClasses([readers, writers], ['admin']), EngineConfigError);
  });

  it('follows task weights inside a running user, with an injected random', async () => {
    const cycle = [0.125, 0.375, 0.625, 0.875];
    let i = 0;
    const { runner, contexts } = harness([cls('U', { tasks: [logTask('a', 1), logTask('b', 3)] })], {
      random: () => cycle[i++ % cycle.length] as number,
    });
    runner.start(1, 100);
    await until('40 tasks', () => (contexts[0]?.log.length ?? 0) >= 40);
    await runner.stop();
    const first = contexts[0]?.log.slice(0, 40) ?? [];
    assert.deepEqual(countByClass(first.map((name) => ({ name, tasks: [] }))), { a: 10, b: 30 });
  });
});
