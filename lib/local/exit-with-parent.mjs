// Preloaded into serverless-offline by `npm start` (node --import). npm start stops it on
// Ctrl-C or SIGTERM; if npm start itself dies without a word (kill -9, the OOM killer), this
// process is re-parented and exits too, rather than keep the HTTP port.
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) process.exit(0)
}, 250).unref()
