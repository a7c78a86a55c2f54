import t from 'tap';
import { isArmored } from './armor.js';

const BEGIN = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n';
type Case = [name: string, bytes: Uint8Array, armored: boolean];
const cases: Case[] = [
  ['armor alone', Buffer.from(BEGIN), true],
  ['a note before the armor', Buffer.from(`${'note '.repeat(200)}\n${BEGIN}`), true],
  ['armor as a view into a larger buffer', Buffer.from(`xx${BEGIN}`).subarray(2), true],
  ['text without armor', Buffer.from('garbage\n'), false],
  ['binary packets whose user ID holds a BEGIN line', Buffer.concat([Buffer.from([0x99, 0x01]), Buffer.from(BEGIN)]), false],
  ['an empty file', new Uint8Array(0), false],
];
for (const [name, bytes, armored] of cases) t.equal(isArmored(bytes), armored, name);
