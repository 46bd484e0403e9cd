// Ingest-time OTLP index: where each Resource* lies in the payload, its time range, record count
// and rejections (otlp-mapping §3). Pure function of the bytes.
import type { OtlpEncoding, OtlpIndex, OtlpSignal } from '../types.js';
import { indexOtlpProto } from './index-proto.js';
import { indexOtlpJson } from './index-json.js';

export { indexOtlpProto } from './index-proto.js';
export { indexOtlpJson } from './index-json.js';

export function indexOtlp(signal: OtlpSignal, encoding: OtlpEncoding, payload: Uint8Array): OtlpIndex {
  return encoding === 'proto' ? indexOtlpProto(signal, payload) : indexOtlpJson(signal, payload);
}
