// Non-null Uint32 column builder (decoders/columns.ts has none).
import { makeData, Uint32, type Data } from 'apache-arrow';

export class UInt32Column {
  values = new Uint32Array(1024);
  length = 0;
  append(v: number): void {
    if (this.length === this.values.length) {
      const b = new Uint32Array(this.values.length * 2);
      b.set(this.values);
      this.values = b;
    }
    this.values[this.length++] = v;
  }
  finish(): Data<Uint32> {
    const data = makeData({ type: new Uint32(), length: this.length, data: this.values.subarray(0, this.length) });
    this.values = new Uint32Array(1024);
    this.length = 0;
    return data;
  }
}
