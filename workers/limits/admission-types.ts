// The types of a request's admission: who is calling as the limiter knows them, and the admission
// a limited request owes. Types only, so the request context (workers/context) can hold an
// Admission without importing the admission code, which itself takes that context.
import type { LeaseTicket } from "../../shared/ratelimit/lease-holder.js";
import type { Credential } from "../../shared/ratelimit/limiter-types.js";
import type { HttpError } from "../errors.js";

/** Who is calling, as the limiter knows them. */
export interface Caller {
  principalId: string;
  memoKey: string;
  credential: Credential;
}

/** The admission a limited request owes, and how it went. */
export interface Admission {
  caller: Caller;
  countRequest: boolean;
  checkBudget: boolean;
  state: "pending" | "admitted" | "refused";
  /** The request's claim on a lease, until a hold takes it over. */
  ticket: LeaseTicket | null;
  /** The admission under way, for siblings that need it too (a batch's items). */
  inFlight: Promise<unknown> | null;
  /**
   * The route's scope check, when the before stage could not make it (this isolate did not know
   * the key's grants): made as soon as the admission returns them.
   */
  authorize: (() => void) | null;
  /** The scope check's refusal, for siblings waiting on the same admission. */
  forbidden: HttpError | null;
  /** The response is complete (finishAdmission ran): settlement may be reported. */
  responded: boolean;
}
