// LIMITER Durable Object: one per principal. It will hold that principal's request window, token
// bucket and budgets in SQLite storage; for now it only records request counts per minute.
import { DurableObject } from "cloudflare:workers";

export class LimiterObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS requests (minute INTEGER PRIMARY KEY, count INTEGER NOT NULL)",
    );
  }

  /** Counts one request in the current minute and returns the count so far. */
  record(now: number): number {
    const minute = Math.floor(now / 60_000);
    return this.ctx.storage.sql
      .exec<{ count: number }>(
        `INSERT INTO requests (minute, count) VALUES (?, 1)
         ON CONFLICT(minute) DO UPDATE SET count = count + 1 RETURNING count`,
        minute,
      )
      .one().count;
  }
}
