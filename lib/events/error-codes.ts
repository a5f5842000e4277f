// Meanings from VOD's documentation. The v3.0 format's ErrCode takes the three task-level codes
// of SnapshotByTimeOffset results; the legacy format's status takes the video-processing codes
// of the archived "视频处理错误码" page (transcode, concatenation and screenshot tasks). Only the
// codes a screenshot task can end with are kept. -46204, the code of VOD's own failure example,
// is on no list, so it is shown as a bare code rather than with a guessed meaning.
const TASK_CODES: Record<number, string> = {
  40000: 'invalid input parameter',
  60000: 'source file error (e.g. corrupt video data)',
  70000: 'internal VOD error, retry',
}

// The screenshot command (-440xx) and the screenshot info command (-441xx) share their suffixes.
const SCREENSHOT_SUFFIXES: Record<number, string> = {
  1: 'ffmpeg reports the file is corrupt',
  29: 'ffmpeg failed to decode',
  89: 'unknown video codec',
  90: 'unknown audio frame size',
  91: 'unknown audio frame format',
  92: 'unknown audio frame rate',
  93: 'unknown audio channel count',
  94: 'no decodable DTS frames',
  95: 'unknown video width and height',
  96: 'unknown colour space',
  97: 'no frame in rv30/40 and no SAR',
  98: 'end of file',
  99: 'seek outside the actual file size',
}

const SOURCE_FILE_CODES: Record<number, string> = {
  [-47100]: 'source file info is not JSON',
  [-47101]: 'source file lacks width, height or colour space',
  [-47102]: 'source file has an unknown encoder',
  [-47104]: 'source file duration is invalid (< 0.01 s or > 604,800 s)',
  [-47200]: 'source file duration is 0',
  [-47400]: 'source file has neither audio nor video',
  [-47402]: 'source file has no video data',
  [-47403]: 'source file width, height, rotation or aspect ratio is invalid',
}

/** VOD's documented meaning of a screenshot's error code, or undefined when none is known. */
export function vodErrorMeaning(code: number): string | undefined {
  const known = TASK_CODES[code] ?? SOURCE_FILE_CODES[code]
  if (known) return known
  // -44001 is the screenshot command's suffix 1, -44101 the screenshot info command's.
  const command = SCREENSHOT_SUFFIXES[-44000 - code]
  if (command) return `screenshot: ${command}`
  const info = SCREENSHOT_SUFFIXES[-44100 - code]
  if (info) return `screenshot info: ${info}`
  return undefined
}

/**
 * The status of one screenshot for people: `OK` for 0, `error <code>: <meaning>` for a code VOD
 * documents, `error <code>` for any other.
 */
export function describeStatus(status: number): string {
  if (status === 0) return 'OK'
  const meaning = vodErrorMeaning(status)
  return meaning ? `error ${status}: ${meaning}` : `error ${status}`
}
