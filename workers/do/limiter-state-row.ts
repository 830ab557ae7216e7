// What the LIMITER object's `limiter_state` row holds: everything a decision changes, as one JSON
// value. Written by the SQL store; also what the reader of the older row-per-item tables returns.
import type { PeriodRow, ReservationRow } from "../../shared/ratelimit/limiter-types.js";
import type { LogEntry } from "../../shared/ratelimit/sliding-log.js";
import type { BucketState } from "../../shared/ratelimit/token-bucket.js";

/** The decision state as stored in `limiter_state`. */
export interface DecisionState {
  log: LogEntry[];
  bucket: BucketState | null;
  periods: PeriodRow[];
  reservations: ReservationRow[];
}
