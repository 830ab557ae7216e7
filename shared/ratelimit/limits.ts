// A principal's limits and their bounds. The same bounds validate configuration defaults and the
// limits an admin sets on a key, so a value the gateway refuses at key creation can't be a default.
import { z } from "zod";

/** What one principal may do: requests and tokens per minute, USD per UTC day and month. */
export interface Limits {
  rpm: number;
  tpm: number;
  dailyBudgetUsd: number;
  monthlyBudgetUsd: number;
}

/** Inclusive bounds. Budgets may be 0 (no paid spend at all); rates must allow something. */
export const LIMIT_BOUNDS = {
  rpm: { min: 1, max: 100_000 },
  tpm: { min: 1, max: 100_000_000 },
  dailyBudgetUsd: { min: 0, max: 1_000_000 },
  monthlyBudgetUsd: { min: 0, max: 1_000_000 },
} as const satisfies Record<keyof Limits, { min: number; max: number }>;

/** zod schemas for each limit, with messages that state the bounds. */
export const rpmSchema = z
  .number()
  .int("rpm must be a whole number")
  .min(LIMIT_BOUNDS.rpm.min, `rpm must be at least ${LIMIT_BOUNDS.rpm.min}`)
  .max(LIMIT_BOUNDS.rpm.max, `rpm must be at most ${LIMIT_BOUNDS.rpm.max}`);

export const tpmSchema = z
  .number()
  .int("tpm must be a whole number")
  .min(LIMIT_BOUNDS.tpm.min, `tpm must be at least ${LIMIT_BOUNDS.tpm.min}`)
  .max(LIMIT_BOUNDS.tpm.max, `tpm must be at most ${LIMIT_BOUNDS.tpm.max}`);

const usd = (name: string, bounds: { min: number; max: number }) =>
  z
    .number()
    .finite()
    .min(bounds.min, `${name} must be at least ${bounds.min}`)
    .max(bounds.max, `${name} must be at most ${bounds.max}`);

export const dailyBudgetSchema = usd("daily_budget_usd", LIMIT_BOUNDS.dailyBudgetUsd);
export const monthlyBudgetSchema = usd("monthly_budget_usd", LIMIT_BOUNDS.monthlyBudgetUsd);

/** USD as integer nano-dollars: sums of tiny per-token prices stay exact. */
export function usdToNano(usd: number): number {
  return Math.round(usd * 1e9);
}

/** Nano-dollars back to USD. */
export function nanoToUsd(nano: number): number {
  return nano / 1e9;
}
