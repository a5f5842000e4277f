// Node 24's ESM view of node:http reads every export, and three of them (WebSocket, CloseEvent,
// MessageEvent) load undici: tens of milliseconds of cold start for nothing. The bundle
// aliases node:http to this file (serverless.yml), which hands out the CommonJS module as is.
module.exports = process.getBuiltinModule('node:http')
