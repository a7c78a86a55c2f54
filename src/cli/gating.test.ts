/**
 * `sif verify` policy flags and `sif bootstrap-check` as users run them, on
 * images signed by the Go reference signer: Apptainer's e2e matrices
 * (buildWithFingerprint, e2e/ecl), bad input, and the real process.
 */
import t, { type Test } from 'tap';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, spawnCli } from '../test-support/cli.js';
import { buildGatingImages, KEY1, KEY2, PUBKEY1, PUBKEY2, SYLABS, type GatingImages } from '../test-support/gating-images.js';
import { oracle } from '../test-support/oracle.js';
import { withReference } from '../test-support/reference.js';

const ZERO = '0'.repeat(40);
const BOTH = ['--keyring', PUBKEY1, '--keyring', PUBKEY2];
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

withReference(t, 'sif verify and bootstrap-check on signed images', ['go', 'go-sif', 'shared'], async (t: Test) => {
  const dir = realpathSync(t.testdir({ images: {}, elsewhere: {} }));
  const images: GatingImages = buildGatingImages(join(dir, 'images'));
  const env = { HOME: dir };
  const cli = (args: string[]) => runCli(args, env);

  t.test("bootstrap-check gives Apptainer's buildWithFingerprint verdicts", async (t: Test) => {
    type Case = [image: 'single' | 'double' | 'unsigned', fps: string, exit: number, stderr: RegExp];
    const cases: Case[] = [
      ['single', KEY1, 0, /^$/],
      ['single', `${KEY1},${KEY2}`, 12, /image not signed by required entities/],
      ['single', ZERO, 12, /image not signed by required entities/],
      ['single', `${ZERO},${KEY2}`, 12, /image not signed by required entities/],
      ['double', KEY1, 0, /^$/],
      ['double', `${KEY1},${KEY2}`, 0, /^$/],
      ['double', ZERO, 12, /image not signed by required entities/],
      ['double', `${ZERO},${KEY2}`, 12, /image not signed by required entities/],
      ['unsigned', KEY1, 11, /signature not found/],
      ['unsigned', `${KEY1},${KEY2}`, 11, /signature not found/],
      ['unsigned', '', 0, /^$/],
    ];
    for (const [image, fps, exit, stderr] of cases) {
      const def = join(dir, 'images', 'test.def');
      writeFileSync(def, `Bootstrap: localimage\nFrom: ${image === 'unsigned' ? 'unsigned' : image}.sif\nFingerprints: ${fps}\n`);
      const r = await cli(['bootstrap-check', '--cwd', join(dir, 'images'), ...BOTH, def]);
      t.equal(r.code, exit, `${image} × [${fps}]: ${r.stderr}`);
      t.match(r.stderr, stderr);
      if (fps !== '') {
        const ref = oracle<{ allowed: boolean }>('signedby', '--keyring', PUBKEY1, '--keyring', PUBKEY2, '--fingerprints', fps, images[image]);
        t.equal(r.code === 0, ref.allowed, `${image} × [${fps}]: as the reference`);
      }
    }
  });

  t.test('bootstrap-check without fingerprints warns and continues', async (t: Test) => {
    const def = join(dir, 'images', 'warn.def');
    const check = (args: string[]) => cli(['bootstrap-check', '--cwd', join(dir, 'images'), ...args, def]);
    writeFileSync(def, 'bootstrap: localimage\nfrom: tampered.sif\n');
    let r = await check(BOTH);
    t.same([r.code, r.stdout.toString()], [0, `Bootstrap image ${images.tampered} could not be verified\n`]);
    t.equal(r.stderr, 'sif: warning: data object integrity compromised: 1\nsif: warning: Bootstrap image could not be verified, but build will continue.\n');
    writeFileSync(def, 'Bootstrap: localimage\nFrom: single.sif\n');
    r = await check(BOTH);
    t.same([r.code, r.stdout.toString(), r.stderr], [0, `Bootstrap image ${join(dir, 'images', 'single.sif')} verified\n`, '']);
    writeFileSync(def, 'Bootstrap: localimage\nFrom: unsigned.sif\n');
    r = await check([]);
    t.same([r.code, r.stdout.toString(), r.stderr], [0, `Bootstrap image ${images.unsigned} is not signed\n`, ''], 'unsigned passes without a warning');
  });

  t.test('bootstrap-check: library and oras check IMG; docker has nothing to check', async (t: Test) => {
    const def = join(dir, 'lib.def');
    writeFileSync(def, `Bootstrap: library\nFrom: alpine:3.19\nFingerprints: ${KEY1}\n`);
    let r = await cli(['bootstrap-check', ...BOTH, def, images.single]);
    t.same([r.code, r.stdout.toString()], [0, `Bootstrap image ${images.single} verified and signed by: ${KEY1}\n`]);
    writeFileSync(def, `Bootstrap: oras\nFrom: registry/x:1\nFingerprints: ${KEY2}\n`);
    r = await cli(['bootstrap-check', ...BOTH, def, images.single]);
    t.equal(r.code, 12);
    t.equal(r.stderr, `sif: image not signed by required entities: ${KEY2} did not sign object group 1\n`);
    writeFileSync(def, `Bootstrap: docker\nFrom: alpine:3.19\nFingerprints: ${KEY1}\n`);
    r = await cli(['bootstrap-check', def]);
    t.same([r.code, r.stdout.toString()], [0, 'Bootstrap docker alpine:3.19: not a SIF image, nothing to check\n']);
  });

  t.test('verify --fingerprints over the matrix', async (t: Test) => {
    type Case = [image: keyof GatingImages, args: string[], exit: number, stderr: RegExp];
    const cases: Case[] = [
      ['single', ['--fingerprints', KEY1.toLowerCase()], 0, /^Verified signature\(s\) from image/],
      ['single', ['--fingerprints', ` ${KEY1} , ${KEY2} `], 12, new RegExp(`^sif: image not signed by required entities: ${KEY2} did not sign object group 1\n$`)],
      ['single', ['--fingerprints', `${ZERO},${KEY1}`, '--require', 'any'], 0, /Verified/],
      ['key2OnlyGroup1', ['--fingerprints', KEY2], 12, new RegExp(`${KEY2} did not sign object group 2\n$`)],
      ['onlyGroup1', ['--fingerprints', KEY1], 11, /^sif: signature not found for object group 2\n$/],
      ['unsigned', ['--fingerprints', KEY1], 11, /signature not found for object group 1/],
      ['tampered', ['--fingerprints', KEY1], 10, /data object integrity compromised: 1/],
      ['forged', ['--fingerprints', KEY2], 10, /fingerprint in descriptor does not correspond to signing entity/],
      ['objectOnly', ['--fingerprints', KEY1], 11, /object 2: object not signed/],
      ['unknownCo', ['--fingerprints', KEY1], 13, /signature object 4 not valid: signed by unknown key ID/],
      ['unknownCo', ['--fingerprints', KEY1, '--ignore-unknown-signers'], 0, /Verified/],
      ['unknownCo', ['--ignore-unknown-signers'], 0, /Verified/],
    ];
    for (const [image, args, exit, stderr] of cases) {
      const r = await cli(['verify', ...BOTH, ...args, images[image]]);
      t.equal(r.code, exit, `${image} ${args.join(' ')}`);
      t.match(r.stderr, stderr, `${image} ${args.join(' ')}`);
    }
    const r = await cli(['verify', ...BOTH, '--ignore-unknown-signers', images.unknownCo]);
    t.match(r.stdout.toString(), /\nSkipped signature object 4 \(group 1, fingerprint 12045C8C0B1004D058DE4BEDA20C27EE7FF7BA84\): signature object 4 not valid: signed by unknown key ID A20C27EE7FF7BA84/);
    t.notMatch(r.stdout.toString(), /Error encountered/, 'the skipped signature is not reported as an error');
  });

  t.test('verify with a policy prints a block for every signature and a verdict line', async (t: Test) => {
    const block = (fp: string, name: string, objects: string) =>
      `[LOCAL]            Signing entity: ${name}\n[LOCAL]            Fingerprint: ${fp}\nObjects verified:\nID  |GROUP   |LINK    |TYPE\n${'-'.repeat(48)}\n${objects}`;
    const e2e = (fp: string, objects = '1   |1       |NONE    |FS\n2   |1       |NONE    |FS\n') =>
      block(fp, fp === KEY1 ? 'e2e (e2e tests) <e2e@hpcng.org>' : 'e2e-test (e2e tests) <e2e-test@hpcng.org>', objects);
    const unknown = `signature object 4 not valid: signed by unknown key ID A20C27EE7FF7BA84 (descriptor fingerprint ${SYLABS})`;
    type Case = [image: keyof GatingImages, args: string[], stdout: string];
    const cases: Case[] = [
      ['double', ['--fingerprints', `${KEY1},${KEY2}`], `${e2e(KEY1)}${e2e(KEY2)}Verdict: accepted: every object group signed by all of the required fingerprints: ${KEY1}, ${KEY2}\n`],
      ['double', ['--fingerprints', `${ZERO},${KEY2}`, '--require', 'any'], `${e2e(KEY1)}${e2e(KEY2)}Verdict: accepted: every object group signed by ${KEY2} (one of the required fingerprints: ${ZERO}, ${KEY2})\n`],
      ['single', ['--fingerprints', `${KEY1},${KEY2}`], `${e2e(KEY1)}Verdict: refused: image not signed by required entities: ${KEY2} did not sign object group 1\n`],
      [
        'key2OnlyGroup1',
        ['--fingerprints', `${KEY2},${ZERO}`],
        `${e2e(KEY1)}${e2e(KEY2)}${e2e(KEY1, '3   |2       |NONE    |FS\n')}Verdict: refused: image not signed by required entities: ${KEY2} did not sign object group 2; ${ZERO} did not sign object groups 1, 2\n`,
      ],
      ['unsigned', ['--fingerprints', KEY1], `Verdict: refused: signature not found for object group 1; required signers missing: ${KEY1} did not sign object group 1\n`],
      ['unknownCo', ['--fingerprints', KEY1], `${e2e(KEY1)}\nError encountered during signature verification: ${unknown}\nVerdict: refused: ${unknown}\n`],
      [
        'unknownCo',
        ['--fingerprints', KEY1, '--ignore-unknown-signers'],
        `${e2e(KEY1)}Skipped signature object 4 (group 1, fingerprint ${SYLABS}): ${unknown}\nVerdict: accepted: every object group signed by all of the required fingerprints: ${KEY1}; skipped signature 4\n`,
      ],
      ['unknownCo', ['--ignore-unknown-signers'], `${e2e(KEY1)}Skipped signature object 4 (group 1, fingerprint ${SYLABS}): ${unknown}\nVerdict: accepted: every object group has a verified signature; skipped signature 4\n`],
    ];
    for (const [image, args, stdout] of cases) {
      const r = await cli(['verify', ...BOTH, ...args, images[image]]);
      t.equal(r.stdout.toString(), stdout, `${image} ${args.join(' ')}`);
    }
  });

  t.test("verify --ecl gives Apptainer's e2e ecl verdicts", async (t: Test) => {
    const imagesDir = join(dir, 'images');
    const ecl = (mode: string, keys: string[], dirpath = imagesDir, activated = true) => {
      const p = join(dir, `ecl-${Math.random().toString(16).slice(2)}.toml`);
      const group = `[[execgroup]]\ntagname = "group1"\nmode = "${mode}"\ndirpath = "${dirpath}"\nkeyfp = [${keys.map((k) => `"${k}"`).join(', ')}]\n`;
      writeFileSync(p, `activated = ${activated}\n${mode ? group : ''}`);
      return p;
    };
    const only1 = ['--keyring', PUBKEY1];
    const none = ['--keysdir', join(dir, 'no-keys')];
    type Case = [name: string, keyrings: string[], config: string, image: keyof GatingImages, exit: number];
    const cases: Case[] = [
      ['activated without execgroup', BOTH, ecl('', []), 'double', 12],
      ['whitelist key1, signed', BOTH, ecl('whitelist', [KEY1]), 'double', 0],
      ['whitelist key2, signed', BOTH, ecl('whitelist', [KEY2]), 'double', 0],
      ['whitelist key1, unsigned', BOTH, ecl('whitelist', [KEY1]), 'unsigned', 11],
      ['whitelist no key, unsigned', BOTH, ecl('whitelist', []), 'unsigned', 11],
      ['whitelist fake directory', BOTH, ecl('whitelist', [KEY1, KEY2], '/'), 'double', 12],
      ['whitestrict, signed', BOTH, ecl('whitestrict', [KEY1, KEY2]), 'double', 0],
      ['whitestrict, single signed', BOTH, ecl('whitestrict', [KEY1, KEY2]), 'single', 12],
      ['whitestrict, unsigned', BOTH, ecl('whitestrict', [KEY1, KEY2]), 'unsigned', 11],
      ['blacklist key1, signed', BOTH, ecl('blacklist', [KEY1]), 'double', 12],
      ['blacklist key2, single signed', BOTH, ecl('blacklist', [KEY2]), 'single', 0],
      ['deactivated, unsigned', BOTH, ecl('whitelist', [KEY1], imagesDir, false), 'unsigned', 0],
      ['key2 removed: whitelist key2', only1, ecl('whitelist', [KEY2]), 'double', 12],
      ['key2 removed: whitelist key1+key2', only1, ecl('whitelist', [KEY1, KEY2]), 'double', 0],
      ['key2 removed: whitestrict key1+key2', only1, ecl('whitestrict', [KEY1, KEY2]), 'double', 12],
      ['both removed: blacklist key1+key2', none, ecl('blacklist', [KEY1, KEY2]), 'double', 12],
      ['tampered', BOTH, ecl('blacklist', [KEY2]), 'tampered', 10],
      ['forged fingerprint', BOTH, ecl('whitelist', [KEY2]), 'forged', 10],
    ];
    for (const [name, keyrings, config, image, exit] of cases) {
      const r = await cli(['verify', ...keyrings, '--ecl', config, images[image]]);
      t.equal(r.code, exit, `${name}: ${r.stderr}`);
    }
    let r = await cli(['verify', ...only1, '--ecl', ecl('whitelist', [KEY2]), images.double]);
    t.match(r.stderr, /^sif: while checking container image with ECL: image not signed by required entities: 78F8AD36B0DCB84B707F23853D608DAE21C8CA10 signature object 4 not validated/);
    t.match(r.stdout.toString(), /Skipped signature object 4[\s\S]*\nVerdict: refused by ECL execgroup "group1" \(whitelist, .*\): while checking container image with ECL: .*; skipped signature 4\n$/);
    // A verification failure under the ECL keeps its own exit code (verification runs first) behind the ECL's words.
    const notValid = 'sif: while checking container image with ECL: image signature not valid: ';
    r = await cli(['verify', ...BOTH, '--ecl', ecl('whitelist', [KEY1]), images.tampered]);
    t.same([r.code, r.stderr], [10, `${notValid}data object integrity compromised: 1\n`]);
    r = await cli(['verify', ...BOTH, '--ecl', ecl('whitestrict', [KEY1, KEY2]), images.unsigned]);
    t.same([r.code, r.stderr], [11, `${notValid}signature not found for object group 1\n`]);
    r = await cli(['verify', ...none, '--ecl', ecl('blacklist', [KEY1, KEY2]), images.double]);
    t.equal(r.stderr, `sif: while checking container image with ECL: image signed by a forbidden entity: ${KEY1}, ${KEY2} (execgroup "group1")\n`);
    const elsewhere = join(dir, 'elsewhere', 'double.sif');
    copyFileSync(images.double, elsewhere);
    r = await cli(['verify', ...BOTH, '--ecl', ecl('whitelist', [KEY1]), elsewhere]);
    t.same([r.code, r.stderr], [12, `sif: while checking container image with ECL: ${elsewhere} not part of any execgroup\n`]);
    r = await cli(['verify', ...BOTH, '--ecl', ecl('whitelist', [KEY1], imagesDir, false), images.unsigned]);
    t.same([r.code, r.stdout.toString(), r.stderr], [0, 'Verdict: accepted: ECL not activated, every image is allowed\n', '']);
    r = await cli(['verify', ...BOTH, '--ecl', ecl('whitestrict', [KEY1, KEY2]), images.double]);
    t.match(r.stdout.toString(), new RegExp(`\nVerdict: accepted by ECL execgroup "group1" \\(whitestrict, ${imagesDir}\\)\n$`));
  });

  t.test('bad input: one line, exit 2 (or 3), image unchanged', async (t: Test) => {
    const before = sha(images.single);
    const badToml = join(dir, 'bad.toml');
    writeFileSync(badToml, 'activated = true\n[[execgroup]]\nmode = "greylist"\n');
    type Case = [args: string[], exit: number, stderr: RegExp];
    const cases: Case[] = [
      [['--fingerprints', '1D476DD1'], 2, /^sif: --fingerprints: fingerprint "1D476DD1" is 8 hex digits; a full 40-hex-digit fingerprint is required/],
      [['--fingerprints', `0x${KEY1}`], 2, /must not start with 0x/],
      [['--fingerprints', `${KEY1},`], 2, /empty fingerprint in list/],
      [['--fingerprints', ''], 2, /no fingerprints given/],
      [['--require', 'any'], 2, /^sif: --require needs --fingerprints\n$/],
      [['--fingerprints', KEY1, '--require', 'most'], 2, /Invalid values/],
      [['--fingerprints', KEY1, '--group-id', '1'], 2, /^sif: --group-id cannot be combined with --fingerprints/],
      [['--ecl', badToml, '--fingerprints', KEY1], 2, /^sif: --ecl brings its own signer rules/],
      [['--ecl', badToml], 2, /^sif: while validating ECL configuration: the mode field can only be either: whitelist, whitestrict, blacklist\n$/],
      [['--ecl', join(dir, 'missing.toml')], 3, /no such file or directory/],
    ];
    for (const [args, exit, stderr] of cases) {
      const r = await cli(['verify', ...BOTH, ...args, images.single]);
      t.equal(r.code, exit, args.join(' '));
      t.match(r.stderr, stderr, args.join(' '));
      t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${args.join(' ')}`);
    }
    const def = join(dir, 'bad.def');
    writeFileSync(def, 'Bootstrap: localimage\nFrom: images/single.sif\nFingerprints: 1CD6FA281D476DD1\n');
    const r = await cli(['bootstrap-check', '--cwd', dir, def]);
    t.same([r.code, r.stderr], [2, 'sif: definition file header Fingerprints: fingerprint "1CD6FA281D476DD1" is 16 hex digits; a full 40-hex-digit fingerprint is required (short key IDs are ambiguous)\n']);
    t.equal(sha(images.single), before, 'the image is unchanged');
  });

  t.test('the real process exits with the documented codes', async (t: Test) => {
    mkdirSync(join(dir, 'home'), { recursive: true });
    const run = (args: string[]) => spawnCli(args, { env: { HOME: join(dir, 'home') } });
    t.equal(run(['verify', ...BOTH, '--fingerprints', KEY1, images.single]).code, 0);
    t.equal(run(['verify', ...BOTH, '--fingerprints', KEY2, images.single]).code, 12);
    t.equal(run(['verify', ...BOTH, '--fingerprints', KEY1, images.unsigned]).code, 11);
    t.equal(run(['verify', ...BOTH, '--fingerprints', KEY1, images.tampered]).code, 10);
    t.equal(run(['verify', ...BOTH, '--fingerprints', KEY1, images.unknownCo]).code, 13);
    const bad = run(['verify', '--fingerprints', 'abc', images.single]);
    t.same([bad.code, bad.stdout.length], [2, 0]);
    t.notMatch(bad.stderr, /at .*\.js/, 'no stack trace');
  });
});
