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
