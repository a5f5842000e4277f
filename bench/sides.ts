/**
 * What the CPU measurements run, as one entry that bench/bundle.ts builds with serverless.yml's
 * esbuild options: the project's code runs as it is deployed (bundled, minified, no tsx
 * transform, which wraps every function it creates in a naming call), and the floor and the
 * typical implementation run built the same way, on the same bundled SDK. measure-cpu and
 * measure-phases import the built file, never this one.
 */
export { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb'
export { parseCallback } from '../lib/events/parse-callback'
export { createCallbackHandler } from '../lib/receive/callback-handler'
export { parseBodyText } from '../lib/receive/json-body'
export { loadConfig } from '../lib/runtime/config'
export { beforeDeadline, deadlineIn } from '../lib/runtime/deadline'
export { functionObservability } from '../lib/runtime/log'
export { snapshotItemsOf } from '../lib/store/snapshot-item'
export { planWrites } from '../lib/store/snapshot-store'
export { createFloorHandler, floorWrites, parseFloorBody, sendFloorWrites } from './floor/handler'
export {
  stubAggregatedDocument,
  stubClient,
  stubHandler,
  stubProjectClient,
} from './stub-dynamodb'
export { createTypicalHandler } from './typical/handler'
