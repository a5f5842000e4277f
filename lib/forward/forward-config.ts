import * as v from 'valibot'
import { parseConfig } from '../runtime/config'

/**
 * Where the functions put VOD events and announcements: the stage's bus in AWS, or, on the local
 * stack, a receiver URL that stands in for the bus and its API destination.
 */
const ForwardConfigSchema = v.pipe(
  v.object({
    // The stage's EventBridge bus; empty on the local stage.
    EVENT_BUS_NAME: v.optional(v.string('EVENT_BUS_NAME must be a string'), ''),
    // The local stack only: events are POSTed here instead of put on a bus.
    FORWARD_URL: v.optional(
      v.union(
        [
          v.literal(''),
          v.pipe(
            v.string(),
            v.url('FORWARD_URL must be an http(s) URL'),
            v.regex(/^https?:/i, 'FORWARD_URL must be an http(s) URL'),
          ),
        ],
        'FORWARD_URL must be an http(s) URL',
      ),
      '',
    ),
    // Forward the snapshot events too, not only the events that store nothing.
    FORWARD_ALL: v.optional(
      v.picklist(['', 'true', 'false'], 'FORWARD_ALL must be true or false'),
      '',
    ),
  }),
  v.transform((env) => ({
    busName: env.EVENT_BUS_NAME === '' ? undefined : env.EVENT_BUS_NAME,
    forwardUrl: env.FORWARD_URL === '' ? undefined : env.FORWARD_URL,
    forwardAll: env.FORWARD_ALL === 'true',
  })),
)

export type ForwardConfig = v.InferOutput<typeof ForwardConfigSchema>

/**
 * Reads and checks the forwarding settings once, at start-up.
 * @throws {ConfigError} naming every problem
 */
export function loadForwardConfig(env: Record<string, string | undefined>): ForwardConfig {
  return parseConfig(ForwardConfigSchema, env)
}
