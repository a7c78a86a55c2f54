import t from 'tap';
import { soakSeconds } from './soak.js';

t.equal(soakSeconds(60, 'SIF_FUZZ_SECONDS', { CI: 'true', SIF_FUZZ_SECONDS: '5' }), 60, 'CI always runs the full budget');
t.equal(soakSeconds(60, 'SIF_FUZZ_SECONDS', {}), 10, 'locally a short one by default');
t.equal(soakSeconds(60, 'SIF_FUZZ_SECONDS', { SIF_FUZZ_SECONDS: '' }), 10, 'an empty variable is unset');
t.equal(soakSeconds(40, 'SIF_KILL_SECONDS', { SIF_KILL_SECONDS: '120' }), 120, 'the variable sets the length locally');
t.equal(soakSeconds(40, 'SIF_KILL_SECONDS', { SIF_FUZZ_SECONDS: '3' }), 10, "another test's variable does not count");
for (const bad of ['abc', '0', '-5', 'Infinity']) {
  t.throws(() => soakSeconds(40, 'SIF_KILL_SECONDS', { SIF_KILL_SECONDS: bad }), { message: /expected a positive number of seconds/ }, bad);
}
