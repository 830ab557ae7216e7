// The limiter's view of one request (RequestLimits): the standing its rate-limit headers render,
// and what its calls to the LIMITER object cost (Server-Timing). Kept apart from the request
// context, which holds one, so the limit code that fills it and the context depend on it one way.
import type { Standing } from "../../shared/ratelimit/decision.js";
import type { Caller } from "./admission-types.js";

/** The limiter's view of this request, set once the principal is admitted (or refused). */
export interface RequestLimits {
  /** The principal's LIMITER object name. */
  principalId: string;
  /** The isolate memo's key: the key's hash, or the anonymous principal id. */
  memoKey: string;
  /** The latest standing the limiter reported: rendered into the rate-limit headers. */
  standing: Standing;
  /** Time spent waiting on the LIMITER object, and how many calls (Server-Timing). */
  rpcMs: number;
  rpcCalls: number;
  /** The refusal came from the isolate memo, not the object. */
  fromMemo: boolean;
  /** Admitted under a lease this isolate holds, without a call. */
  fromLease: boolean;
}

/** A fresh limits view of a request. */
export function newLimits(caller: Caller, standing: RequestLimits["standing"]): RequestLimits {
  return {
    principalId: caller.principalId,
    memoKey: caller.memoKey,
    standing,
    rpcMs: 0,
    rpcCalls: 0,
    fromMemo: false,
    fromLease: false,
  };
}
