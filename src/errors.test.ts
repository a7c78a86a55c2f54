import t from 'tap';
import { FormatError, fromSystemError, IntegrityError, IoError, isSifError, KeyError, SelectionError, SifError, SignatureError, UsageError } from './errors.js';

t.test('every class carries its code and its own name', async (t) => {
  const cases: [SifError, string, string][] = [
    [new UsageError('u'), 'UsageError', 'SIF_USAGE'],
    [new IoError('SIF_LOCKED', 'l'), 'IoError', 'SIF_LOCKED'],
    [new FormatError('SIF_TRUNCATED', 'f'), 'FormatError', 'SIF_TRUNCATED'],
    [new SelectionError('SIF_NO_OBJECTS', 's'), 'SelectionError', 'SIF_NO_OBJECTS'],
    [new KeyError('SIF_KEY_INVALID', 'k'), 'KeyError', 'SIF_KEY_INVALID'],
    [new IntegrityError('object', 'data object integrity compromised: 2', 2), 'IntegrityError', 'SIF_INTEGRITY'],
    [new SignatureError('SIF_SIGNATURE_NOT_FOUND', 'sig', { id: 3, reason: 'not-found' }), 'SignatureError', 'SIF_SIGNATURE_NOT_FOUND'],
  ];
  for (const [e, name, code] of cases) {
    t.ok(e instanceof SifError && e instanceof Error, `${name} is a SifError`);
    t.equal(e.name, name);
    t.equal(e.code, code);
    t.ok(isSifError(e), 'isSifError without a code');
    t.ok(isSifError(e, e.code), 'isSifError with its code');
    t.notOk(isSifError(e, 'SIF_INTERNAL'), 'not with another code');
  }
  const integrity = new IntegrityError('object', 'x', 2);
  t.same([integrity.kind, integrity.id], ['object', 2]);
  t.same(
    [new SignatureError('SIF_SIGNATURE_INVALID', 'x', { reason: 'bad-signature' })].map((e) => [e.id, e.reason]),
    [[undefined, 'bad-signature']],
  );
  t.notOk(isSifError(new Error('plain')));
  t.equal(new FormatError('SIF_CORRUPT', 'outer', { cause: 'inner' }).cause, 'inner');
});

t.test('system errors become one-line IoErrors', async (t) => {
  const sys = (code: string, message = code) => Object.assign(new Error(message), { code });
  const cases: [string, string, string][] = [
    ['ENOENT', 'SIF_NOT_FOUND', 'open /x.sif: no such file or directory'],
    ['EACCES', 'SIF_IO', 'open /x.sif: permission denied'],
    ['EPERM', 'SIF_IO', 'open /x.sif: permission denied'],
    ['EISDIR', 'SIF_IO', 'read /x.sif: is a directory'],
    ['ESPIPE', 'SIF_IO', 'read /x.sif: illegal seek (a pipe: save the image to a file first)'],
    ['ENOSPC', 'SIF_IO', 'write /x.sif: no space left on device'],
    ['EROFS', 'SIF_IO', 'write /x.sif: read-only file system'],
    ['ELOOP', 'SIF_IO', 'open /x.sif: refusing to follow a symbolic link'],
    ['EIO', 'SIF_IO', '/x.sif: EIO'],
  ];
  for (const [code, want, message] of cases) {
    const e = fromSystemError(sys(code), '/x.sif');
    t.match(e, { name: 'IoError', code: want, message }, code);
    t.equal((e.cause as Error).message, code, 'the system error is kept as the cause');
  }
  t.match(fromSystemError('weird', '/x.sif'), { code: 'SIF_IO', message: '/x.sif: weird' }, 'a thrown non-Error');
  const mine = new UsageError('already ours');
  t.equal(fromSystemError(mine, '/x.sif'), mine, 'a SifError passes through');
});
