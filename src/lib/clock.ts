/** Time source injected everywhere "now" matters, so tests can move it (edit window, rate limits). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
