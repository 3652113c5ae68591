import type { FaultRecord } from './types.js';

// The instants of a fault record that several readers need, in one place (docs/design.md "Measurement
// semantics"): each is the tightest bound the record holds, else the call that made it.

/** t_fault: the earliest the fault can have taken effect (its own stamps or event, else the call's start). */
export const faultFromMs = (f: FaultRecord): number => f.effectFromMs ?? f.injectedAtMs;

/** The latest it had taken effect (its own stamps or event, else the call's return). */
export const faultByMs = (f: FaultRecord): number => f.effectByMs ?? f.injectReturnedAtMs;

/** The earliest its heal can have taken effect (a thaw or an unhooking seen, else the heal call's start); undefined: never healed. */
export const healFromMs = (f: FaultRecord): number | undefined => f.healFromMs ?? f.healedAtMs;
