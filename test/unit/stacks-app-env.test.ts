import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forwardedAppEnv } from '../../src/stacks/app-env.js';

// The runner's DRILL_APP_<NAME> variables reach the fixture app as <NAME>; nothing else of its environment does.

describe('DRILL_APP_* reaches the app', () => {
  it('forwards DRILL_APP_<NAME> as <NAME>, and nothing else', () => {
    assert.deepEqual(forwardedAppEnv({ DRILL_APP_SERVE_LOG: '1', DRILL_APP_COMMAND_TIMEOUT_MS: '250', DRILL_APP_lower: 'x', DRILL_APP_: 'x', DRILL_LOG_LEVEL: 'warn', PATH: '/bin' }), {
      SERVE_LOG: '1',
      COMMAND_TIMEOUT_MS: '250',
    });
  });
});
