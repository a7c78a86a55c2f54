/**
 * The page (index.html): opens an image from the file input, a drop or
 * `?url=`, shows `sif header`/`sif list` text and each object, and verifies
 * with the keys given. All SIF work is the library's (../sif-web.ts); this
 * module only wires it to the DOM. `body[data-state]` says where the page is
 * (idle, loading, loaded, error, verifying, verified, failed) for people and
 * scripts that drive it.
 */
import { dataTypeName } from '../../../format/constants.js';
import { failedVerdict, headerText, infoText, listText, objectBlob, openBlob, openUrl, prepareVerify, readKeys, verifyImage, type PemFile, type SifImage, type TrustKey } from '../sif-web.js';

type State = 'idle' | 'loading' | 'loaded' | 'error' | 'verifying' | 'verified' | 'failed';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const imageInput = $<HTMLInputElement>('image-input');
const keyInput = $<HTMLInputElement>('key-input');
const keyPaste = $<HTMLTextAreaElement>('key-paste');
const verifyButton = $<HTMLButtonElement>('verify-button');
const progress = $<HTMLProgressElement>('verify-progress');
const verdict = $<HTMLOutputElement>('verify-verdict');

let image: SifImage | undefined;
/** Bumped by every open: work for an image no longer shown is dropped. */
let generation = 0;

const setState = (state: State) => (document.body.dataset.state = state);
const show = (id: string, text: string) => {
  const el = $(id);
  el.textContent = text;
  el.hidden = false;
};

async function open(what: () => Promise<SifImage>, name: string): Promise<void> {
  const mine = ++generation;
  setState('loading'); // before any await: a script that just chose a file sees the page busy
  const previous = image;
  image = undefined;
  await previous?.close();
  $('status').textContent = `Reading ${name}…`;
  $('image-error').hidden = true;
  for (const id of ['image-view', 'verify-view', 'object-info', 'verify-output']) $(id).hidden = true;
  verdict.textContent = '';
  try {
    const opened = await what();
    if (mine !== generation) return void opened.close();
    image = opened;
  } catch (e) {
    if (mine !== generation) return;
    $('status').textContent = '';
    show('image-error', `sif: ${failedVerdict(e).slice('failed: '.length)}`);
    setState('error');
    return;
  }
  $('status').textContent = `${name}: ${image.descriptors.length} object(s), ${image.fileSize} bytes`;
  $('sif-header').textContent = headerText(image);
  $('sif-list').textContent = listText(image);
  renderObjects(image);
  $('image-view').hidden = false;
  $('verify-view').hidden = false;
  prepareVerify(image);
  setState('loaded');
}

function renderObjects(img: SifImage): void {
  const rows = img.descriptors.map((d) => {
    const tr = document.createElement('tr');
    const cells = [String(d.id), dataTypeName(d.dataType), String(d.size)];
    for (const text of cells) tr.appendChild(document.createElement('td')).textContent = text;
    const actions = tr.appendChild(document.createElement('td'));
    const info = actions.appendChild(document.createElement('button'));
    info.type = 'button';
    info.className = 'secondary';
    info.textContent = 'Details';
    info.setAttribute('aria-label', `Details of object ${d.id}`);
    info.onclick = () => show('object-info', infoText(d));
    const dump = actions.appendChild(document.createElement('button'));
    dump.type = 'button';
    dump.className = 'secondary';
    dump.textContent = 'Download';
    dump.setAttribute('aria-label', `Download object ${d.id}`);
    dump.dataset.testid = `download-${d.id}`;
    dump.onclick = async () => {
      const url = URL.createObjectURL(await objectBlob(img, d));
      const a = document.createElement('a');
      a.href = url;
      a.download = `object-${d.id}.bin`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    };
    return tr;
  });
  $('objects').replaceChildren(...rows);
}

/** The PEM files of a certificate pool input. */
const pemFiles = (id: string): Promise<PemFile[]> => Promise.all([...($<HTMLInputElement>(id).files ?? [])].map(async (f) => ({ text: await f.text(), name: f.name })));

/** Every key given, files first, then the paste: as `sif verify --keyring FILE… --key FILE… --certificate FILE`. */
async function gatherKeys(): Promise<TrustKey[]> {
  const pools = { intermediates: await pemFiles('cert-intermediates'), roots: await pemFiles('cert-roots') };
  const keys: TrustKey[] = [];
  for (const file of keyInput.files ?? []) keys.push(...(await readKeys(new Uint8Array(await file.arrayBuffer()), file.name, pools)));
  const pasted = keyPaste.value.trim();
  if (pasted) keys.push(...(await readKeys(new TextEncoder().encode(pasted), 'pasted keys', pools)));
  return keys;
}

async function verify(): Promise<void> {
  const img = image;
  if (!img) return;
  const mine = generation;
  setState('verifying');
  verifyButton.disabled = true;
  verdict.textContent = 'verifying…';
  $('verify-output').textContent = '';
  $('verify-output').hidden = true;
  progress.hidden = false;
  progress.value = 0;
  let frame = 0;
  const onProgress = (done: number, total: number) => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      progress.max = Math.max(total, 1);
      progress.value = done;
    });
  };
  let outcome: { verdict: string; text: string };
  try {
    outcome = await verifyImage(img, await gatherKeys(), { fingerprints: $<HTMLInputElement>('fingerprints').value, onProgress });
  } catch (e) {
    outcome = { verdict: failedVerdict(e), text: '' };
  } finally {
    verifyButton.disabled = false;
  }
  if (mine !== generation) return;
  progress.value = progress.max;
  verdict.textContent = outcome.verdict;
  if (outcome.text) show('verify-output', outcome.text);
  setState(outcome.verdict === 'verified' ? 'verified' : 'failed');
}

imageInput.addEventListener('change', () => {
  const file = imageInput.files?.[0];
  if (file) void open(() => openBlob(file), file.name);
});
verifyButton.addEventListener('click', () => void verify());

// Drop an image anywhere on the page.
document.addEventListener('dragover', (e) => {
  e.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
document.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const file = e.dataTransfer?.files[0];
  if (file) void open(() => openBlob(file), file.name);
});

const url = new URLSearchParams(location.search).get('url');
if (url) void open(() => openUrl(url), url);
