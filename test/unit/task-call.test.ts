/** Which tools are called as tasks: the spec's tool-level negotiation (2025-11-25, basic/utilities/tasks). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callsAsTask, serverRunsToolTasks, taskSupportOf } from '../../src/transports/task-call.js';

const TASKS = { tasks: { requests: { tools: { call: {} } } } };

test('taskSupport: required and optional as given; absent or anything else is forbidden (the default)', () => {
  assert.equal(taskSupportOf({ execution: { taskSupport: 'required' } }), 'required');
  assert.equal(taskSupportOf({ execution: { taskSupport: 'optional' } }), 'optional');
  assert.equal(taskSupportOf({ execution: { taskSupport: 'forbidden' } }), 'forbidden');
  assert.equal(taskSupportOf({}), 'forbidden');
  assert.equal(taskSupportOf({ execution: { taskSupport: 'sometimes' } }), 'forbidden');
});

test('a server without tasks.requests.tools.call gets no task, whatever the tool says', () => {
  assert.equal(serverRunsToolTasks(TASKS), true);
  for (const caps of [undefined, {}, { tasks: {} }, { tasks: { requests: { sampling: {} } } }, { tasks: { requests: { tools: {} } } }]) {
    assert.equal(serverRunsToolTasks(caps), false, JSON.stringify(caps));
    assert.equal(callsAsTask({ execution: { taskSupport: 'required' } }, caps, 'optional'), false);
  }
});

test('required tools always run as tasks; optional ones only when asked; forbidden ones never', () => {
  const required = { execution: { taskSupport: 'required' } };
  const optional = { execution: { taskSupport: 'optional' } };
  assert.equal(callsAsTask(required, TASKS, 'required'), true);
  assert.equal(callsAsTask(optional, TASKS, 'required'), false);
  assert.equal(callsAsTask(optional, TASKS, 'optional'), true);
  assert.equal(callsAsTask({}, TASKS, 'optional'), false);
});
