// The fake of VOD's API became the product's local stand-in; the tests keep their names for it.
export {
  startVodStandIn as startFakeVodApi,
  VOD_STAND_IN_CREDENTIALS as FAKE_VOD_CREDENTIALS,
  type VodStandIn as FakeVodApi,
  type VodStandInOptions as FakeVodApiOptions,
} from '../../lib/local/vod-stand-in'
