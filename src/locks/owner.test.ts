/** The lock owner line and the one liveness rule: stale only when the owner is proven dead. */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { currentOwner, describeOwner, ownerIsDead, parseOwner } from './owner.js';

const deadPid = () => spawnSync('true').pid!;

t.test('the owner line names host, boot, PID namespace, PID and start time', async (t) => {
  const owner = currentOwner();
  t.match(owner, { pid: process.pid, host: hostname(), pidns: readlinkSync('/proc/self/ns/pid'), start: /^\d+$/, boot: /^[0-9a-f-]{36}$/ });
  t.not(currentOwner().token, owner.token, 'a token per lock');
  t.same(parseOwner(JSON.stringify(owner)), owner);
  t.equal(describeOwner(owner), `process ${process.pid} on ${hostname()}`);
});

t.test('lines that are not an owner line', async (t) => {
  for (const line of ['', '{"pid":', 'null', '{"pid":"1","host":"h"}', '{"pid":1}', `${process.pid} ${hostname()}`]) t.equal(parseOwner(line), undefined, line);
});

t.test('dead only when proven: same host, boot and PID namespace, and the PID gone or reused', async (t) => {
  const here = currentOwner();
  t.ok(ownerIsDead({ ...here, pid: deadPid() }), 'no such process');
  t.ok(ownerIsDead({ ...here, start: '1' }), 'the PID belongs to a process started later');
  t.notOk(ownerIsDead(here), 'this very process');
  t.notOk(ownerIsDead({ ...here, start: undefined }), 'a live PID without a start time to compare');
  t.notOk(ownerIsDead({ ...here, pid: 1, start: undefined }), 'a live PID we may not signal (EPERM) is live');
  for (const [what, other] of [
    ['another host', { host: 'elsewhere.example' }],
    ['another boot', { boot: 'x' }],
    ['another PID namespace', { pidns: 'pid:[1]' }],
    ['an old owner line without boot and namespace', { boot: undefined, pidns: undefined }],
  ] as const) {
    t.notOk(ownerIsDead({ ...here, pid: deadPid(), ...other }), what);
  }
});

t.test('a /proc that is not our PID namespace proves nothing', async (t) => {
  const fs = await import('node:fs');
  const { ownerIsDead: judged, currentOwner: owner } = await t.mockImport<typeof import('./owner.js')>('./owner.js', {
    'node:fs': { ...fs, readlinkSync: (p: string) => (p === '/proc/self' ? '1' : fs.readlinkSync(p)) },
  });
  t.notOk(judged({ ...owner(), pid: deadPid() }), 'live');
  t.equal(owner().start, undefined, 'and our own start time is not recorded');
});

t.test('without a boot id (no /proc) nothing is proven dead', async (t) => {
  const fs = await import('node:fs');
  const { ownerIsDead: judged, currentOwner: owner } = await t.mockImport<typeof import('./owner.js')>('./owner.js', {
    'node:fs': {
      ...fs,
      readFileSync: (p: string, e: BufferEncoding) => {
        if (p.startsWith('/proc/sys')) throw Object.assign(new Error('no /proc'), { code: 'ENOENT' });
        return fs.readFileSync(p, e);
      },
    },
  });
  t.equal(owner().boot, undefined);
  t.notOk(judged({ ...owner(), pid: deadPid() }), 'live');
});
