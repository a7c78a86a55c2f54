/**
 * Our integrity bytes against real signatures: every non-legacy signature in the
 * corpus carries the digests the reference computed over the header, each
 * descriptor and each object, so recomputing them pins the 61- and 557-byte
 * layouts, relative IDs and object reading at once.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { DataType, GROUP_MASK } from './constants.js';
import { descriptorIntegrityBytes, type Descriptor } from './descriptor.js';
import { headerIntegrityBytes } from './header.js';
import { SifImage } from '../image/image.js';
import { corpusImages, withReference } from '../test-support/reference.js';

interface SignedMetadata {
  header: { digest: string };
  objects: { relativeId: number; descriptorDigest: string; objectDigest: string }[];
}

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The signed JSON of a PGP clear-signed or DSSE signature object; undefined for legacy "SIFHASH" ones. */
function signedMetadata(data: Buffer): SignedMetadata | undefined {
  const text = data.toString('utf8');
  if (text.startsWith('{')) {
    const envelope = JSON.parse(text) as { payload: string };
    return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as SignedMetadata;
  }
  const body = /-----BEGIN PGP SIGNED MESSAGE-----\n(?:Hash: [^\n]*\n)*\n([\s\S]*?)\n-----BEGIN PGP SIGNATURE-----/.exec(text)?.[1];
  if (body === undefined || body.startsWith('SIFHASH:')) return undefined;
  return JSON.parse(body) as SignedMetadata;
}

async function objectDigest(image: SifImage, d: Descriptor): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of image.objectChunks(d, 4096)) h.update(chunk);
  return `sha256:${h.digest('hex')}`;
}

withReference(t, 'header, descriptor and object digests equal those inside real signatures', ['go-sif', 'shared'], async (t) => {
  let checked = 0;
  for (const path of corpusImages()) {
    const image = await SifImage.open(path);
    try {
      for (const sig of image.descriptors.filter((d) => d.dataType === DataType.Signature && d.linkIsGroup)) {
        const md = signedMetadata(await image.readObject(sig));
        if (!md) continue;
        checked++;
        t.equal(sha256(headerIntegrityBytes(image.header)), md.header.digest, `${path}: header`);
        const group = image.descriptors.filter((d) => d.raw.groupId === (sig.linkedId | GROUP_MASK) >>> 0);
        const minId = Math.min(...group.map((d) => d.id));
        for (const o of md.objects) {
          const d = group.find((g) => g.id === minId + o.relativeId)!;
          t.equal(d.relativeId, o.relativeId, `${path}: object ${d.id} relative ID`);
          t.equal(sha256(descriptorIntegrityBytes(d)), o.descriptorDigest, `${path}: descriptor ${d.id}`);
          t.equal(await objectDigest(image, d), o.objectDigest, `${path}: object ${d.id} data`);
        }
      }
    } finally {
      await image.close();
    }
  }
  t.ok(checked >= 10, `${checked} signatures checked`);
});
