// An in-memory LimiterStore: what the LIMITER object's SQLite holds, as maps. Building a new
// PrincipalLimiter over the same store is a restart (eviction) in a test.
import type {
  LimiterState,
  LimiterStore,
  PeriodRow,
  PrincipalRecord,
  ReservationRow,
} from "../../shared/ratelimit/limiter-types.js";
import type { LogEntry } from "../../shared/ratelimit/sliding-log.js";
import type { BucketState } from "../../shared/ratelimit/token-bucket.js";

export class MemoryLimiterStore implements LimiterStore {
  principal: PrincipalRecord | null = null;
  readonly log = new Map<number, number>();
  bucket: BucketState | null = null;
  readonly periods = new Map<string, PeriodRow>();
  readonly reservations = new Map<string, ReservationRow>();
  writes = 0;

  load(): LimiterState {
    return structuredClone({
      principal: this.principal,
      log: [...this.log].map(([at, count]) => ({ at, count })),
      bucket: this.bucket,
      periods: [...this.periods.values()],
      reservations: [...this.reservations.values()],
    });
  }
  savePrincipal(principal: PrincipalRecord): void {
    this.writes++;
    this.principal = structuredClone(principal);
  }
  putLogEntry(entry: LogEntry): void {
    this.writes++;
    if (entry.count > 0) this.log.set(entry.at, entry.count);
    else this.log.delete(entry.at);
  }
  deleteLogThrough(at: number): void {
    this.writes++;
    for (const key of [...this.log.keys()]) if (key <= at) this.log.delete(key);
  }
  saveBucket(bucket: BucketState): void {
    this.writes++;
    this.bucket = { ...bucket };
  }
  savePeriod(period: PeriodRow): void {
    this.writes++;
    this.periods.set(period.key, { ...period });
  }
  deletePeriod(key: string): void {
    this.writes++;
    this.periods.delete(key);
  }
  saveReservation(reservation: ReservationRow): void {
    this.writes++;
    this.reservations.set(reservation.id, { ...reservation });
  }
  deleteReservation(id: string): void {
    this.writes++;
    this.reservations.delete(id);
  }
}
