import { readFileSync } from 'node:fs'

/** A fresh copy of a fixture body from tests/fixtures, safe to change. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8'))
}

/** The raw text of a fixture, as VOD would send it. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8')
}

/** A legacy-format snapshot callback with `count` results at 0, 1000, 2000 ... ms. */
export function legacyCallbackWith(count: number, vodTaskId = 'CreateSnapshotByTimeOffset-load') {
  return {
    version: '4.0',
    eventType: 'CreateSnapshotByTimeOffsetComplete',
    data: {
      vodTaskId,
      fileId: '14508071098244929440',
      definition: 10,
      picInfo: Array.from({ length: count }, (_, i) => ({
        status: 0,
        timeOffset: i * 1000,
        url: `http://125xx.vod2.myqcloud.com/vod125xx/14508071098244929440/${i}.png`,
      })),
    },
  }
}

/**
 * The v3.0 task-flow example with one SnapshotByTimeOffset subtask of `count` pictures at
 * 0.5, 1000.5, 2000.5 ... ms (a task flow's offsets need not be whole ms).
 */
export function procedureCallbackWith(count: number, taskId = '1256768367-Procedure-load') {
  const body = fixture<{ ProcedureStateChangeEvent: Record<string, unknown> }>(
    'v3-procedure-state-changed',
  )
  const event = body.ProcedureStateChangeEvent
  event.TaskId = taskId
  event.MediaProcessResultSet = [
    ...(event.MediaProcessResultSet as object[]),
    {
      Type: 'SnapshotByTimeOffset',
      SnapshotByTimeOffsetTask: {
        Status: 'SUCCESS',
        ErrCodeExt: '',
        ErrCode: 0,
        Message: 'SUCCESS',
        Input: { Definition: 10, ExtTimeOffsetSet: [], TimeOffsetSet: [], WatermarkSet: [] },
        Output: {
          Definition: 10,
          PicInfoSet: Array.from({ length: count }, (_, i) => ({
            TimeOffset: i * 1000 + 0.5,
            Url: `https://1256768367.vod2.myqcloud.com/xxx/xxx/snapshot/${i}.jpg`,
            WaterMarkDefinition: [],
          })),
        },
      },
    },
  ]
  return body
}
