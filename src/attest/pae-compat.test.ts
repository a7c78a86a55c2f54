/** Python's bytes repr, as model_signing 0.2's PAE embedded it (checked against python3). */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { paeCompat, pythonBytesRepr } from './pae-compat.js';

const SAMPLES = [Buffer.from('{"a": "it\'s"}\n'), Buffer.from("it's"), Buffer.from('\\\t\r\x00\x7f\xff é'), Buffer.alloc(0)];

t.test('the repr of each sample equals python3\'s', async (t) => {
  for (const b of SAMPLES) {
    const py = spawnSync('python3', ['-c', 'import sys; sys.stdout.write(repr(sys.stdin.buffer.read()))'], { input: b });
    t.equal(py.status, 0, 'python3 ran');
    t.equal(pythonBytesRepr(b), py.stdout.toString('utf8'), JSON.stringify(b.toString('latin1')));
  }
});

t.test('the compat string', async (t) => {
  t.equal(paeCompat('application/vnd.in-toto+json', Buffer.from('{"x":1}')).toString(), `DSSEV1 28 application/vnd.in-toto+json 7 b'{"x":1}'`);
});
