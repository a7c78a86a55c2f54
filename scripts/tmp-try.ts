import { DataType } from '../src/index.js';
const x: number = DataType.Partition;
console.log('ok', x);
