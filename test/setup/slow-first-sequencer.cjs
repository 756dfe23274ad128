// Jest's sequencer, with the image test (minutes of podman work, mostly waiting on disk) started first,
// so the other files run beside it instead of after it. Jest orders by last run's durations only when
// it has a cache, which a fresh CI clone has not.
const Sequencer = require('@jest/test-sequencer').default;

const FIRST = /[\\/]test[\\/]image\.e2e-spec\.ts$/;

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    return [...sorted.filter((test) => FIRST.test(test.path)), ...sorted.filter((test) => !FIRST.test(test.path))];
  }
}

module.exports = SlowFirstSequencer;
