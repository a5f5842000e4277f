/**
 * `url` fit for a log line or the ready banner: its user, its password, every query value and
 * its fragment replaced with `***` (FORWARD_URL may carry the receiver's own secret, as
 * `?key=...` or `user:pass@`). Scheme, host, port, path and the query's names stay, so the
 * operator still sees where the events go: `http://127.0.0.1:9000/hook?key=***`.
 *
 * @returns the masked URL, or `(not an http(s) URL)` for any other text (never the text itself:
 * `localhost:4000/hook?key=...` parses as a URL of scheme `localhost:`, its secret in the path)
 */
export function maskUrl(url: string): string {
  const masked = URL.parse(url)
  if (masked?.protocol !== 'http:' && masked?.protocol !== 'https:') return '(not an http(s) URL)'
  if (masked.username) masked.username = '***'
  if (masked.password) masked.password = '***'
  const names = [...masked.searchParams.keys()]
  masked.search = new URLSearchParams(
    names.map((name): [string, string] => [name, '***']),
  ).toString()
  if (masked.hash) masked.hash = '***'
  return masked.href
}
