// Catalog rows a scan needs per segment (process, stream, a native process's tick frequency),
// looked up once per scan; process rows also come from the rows remembered across queries.
import type { Catalog, ProcessRow, SegmentView, StreamRow } from '../../lake/types.js';
import { estimateTscFrequency } from '../../decoders/native/ticks.js';
import { CatalogRows } from './catalog-rows.js';

const NATIVE_VIEWS: SegmentView[] = ['log_entries', 'measures', 'thread_spans'];

export class SegmentMetadata {
  private readonly processes = new Map<string, Promise<ProcessRow | undefined>>();
  private readonly streams = new Map<string, Promise<StreamRow | undefined>>();
  private readonly frequencies = new Map<string, Promise<number>>();

  constructor(
    private readonly catalog: Catalog,
    private readonly rows: CatalogRows = new CatalogRows(),
  ) {}

  /** A process row already read (by this scan or an earlier query), without waiting. */
  knownProcess(id: string): ProcessRow | undefined {
    return this.rows.knownProcess(id);
  }

  process(id: string): Promise<ProcessRow | undefined> {
    let p = this.processes.get(id);
    if (!p) this.processes.set(id, (p = this.rows.process(this.catalog, id)));
    return p;
  }

  stream(id: string): Promise<StreamRow | undefined> {
    let s = this.streams.get(id);
    if (!s) this.streams.set(id, (s = this.catalog.getStream(id)));
    return s;
  }

  /** §9: for tsc_frequency ≤ 0, round(E_ticks / E_seconds) from the process's latest native block
   * over all its streams. Throws when the process has no block after its start. */
  estimatedFrequency(process: ProcessRow): Promise<number> {
    let f = this.frequencies.get(process.process_id);
    if (!f) this.frequencies.set(process.process_id, (f = this.estimate(process)));
    return f;
  }

  private async estimate(process: ProcessRow): Promise<number> {
    let latest: { endTime: bigint; endTicks: bigint } | undefined;
    for (const view of NATIVE_VIEWS) {
      for (const s of await this.catalog.findSegments({ view, processIds: [process.process_id] })) {
        if (s.format !== 'native-transit' || s.end_ticks === null) continue;
        if (!latest || s.end_time > latest.endTime) latest = { endTime: s.end_time, endTicks: s.end_ticks };
      }
    }
    if (!latest) throw new Error(`process ${process.process_id} has tsc_frequency <= 0 and no block to estimate it from`);
    return estimateTscFrequency(process.process_id, process.start_time, latest.endTime, latest.endTicks);
  }
}
