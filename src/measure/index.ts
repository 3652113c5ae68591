export { measure, measureEventRows, firstFault } from './measure.js';
export { evaluateEventObjectives, eventName } from './event-objectives.js';
export { buildTimeline, timelineRange, MAX_BUCKETS } from './timeline.js';
export { evaluateObjectives, objectiveState, verdictOf } from './objectives.js';
export { eventsFromEventRows, eventsFromMeasured } from './events.js';
export { classifyWrites, LIST_LIMIT } from './classify.js';
export { findRecovery, largestGapAround, relapseBound, type Recovery } from './recovery.js';
export { byInvoke } from './order.js';
export type * from './types.js';
