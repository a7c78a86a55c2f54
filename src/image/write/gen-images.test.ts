/**
 * testdata/images/*.sif are exactly what scripts/gen-images.ts writes: the
 * committed images pin every byte the writer produces for them.
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { generateImages, IMAGES_DIR, RECIPES } from '../../../scripts/gen-images.js';
import { runTool } from '../../test-support/cli.js';

t.test('regenerating the test images gives the committed bytes', async (t) => {
  const written = await generateImages(t.testdir());
  t.same(written.map((p) => basename(p)).sort(), readdirSync(IMAGES_DIR).filter((f) => f.endsWith('.sif')).sort(), 'the same set of images');
  for (const path of written) {
    t.ok(readFileSync(path).equals(readFileSync(join(IMAGES_DIR, basename(path)))), `${basename(path)} is byte-identical (npm run gen-images to update)`);
  }
  t.ok(Object.keys(RECIPES).length >= 3);
});

t.test('npm run gen-images runs as a script', async (t) => {
  const out = t.testdir();
  const r = runTool('node', ['--import', '@tapjs/typescript/import', 'scripts/gen-images.ts', out]);
  t.equal(r.code, 0, r.stderr);
  t.same(r.stdout.toString().trim().split('\n').map((p) => basename(p)), Object.keys(RECIPES));
});
