/** VOD's time format: ISO 8601 UTC in whole seconds, such as 2026-12-04T10:00:00Z. */
export const vodTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 19)}Z`
