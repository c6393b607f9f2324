#!/usr/bin/env node
// The sign-in tests' "browser": a plain HTTP client (fetch with manual redirects and a cookie jar)
// that follows an authorization URL, signs in on the test provider's login form (and accepts its
// consent page if one is shown), and follows the redirects until the one back to the application's
// loopback listener (http://127.0.0.1:PORT/callback?code=...&state=...&iss=...), which it requests
// so that the listener receives it. No JavaScript, no rendering: it understands the pages of
// tests/idp/server.mjs and oidc-provider's own device-flow, logout and form_post pages.
//
//   browser.mjs URL [--user clara --password clara-pw] [--deny] [--timeout 30] [--verbose]
//   browser.mjs --device VERIFICATION_URI_COMPLETE [--user sam --password sam-pw]
//   browser.mjs --device VERIFICATION_URI --code USER_CODE [--user ...]
//   BROWSER=tests/idp/browser.mjs IDP_USER=sam IDP_PASSWORD=sam-pw app ...   (as $BROWSER / xdg-open)
//
// Also for RP-initiated logout: given the end_session URL it confirms "Yes, sign me out" and follows
// the redirect to the post_logout_redirect_uri (or stops at the provider's "Sign-out Success" page).
//
// Options and their environment equivalents (the options win):
//   --user U / IDP_USER            account to sign in as (default clara)
//   --password P / IDP_PASSWORD    its password (default: U's test password, e.g. clara-pw)
//   --deny / IDP_DENY=1            cancel on the login or consent page (the provider then redirects
//                                  with error=access_denied), or abort the device confirmation
//   --timeout S / IDP_BROWSER_TIMEOUT   overall limit in seconds (default 30), then exit 124
//   --verbose / IDP_BROWSER_VERBOSE=1   every request and response on stderr
//   IDP_BROWSER_LOG=FILE           append the one-line outcome to FILE (handy when the app starts the
//                                  bot in the background and its output is lost)
//
// Only loopback addresses (127.0.0.0/8, localhost, [::1]) are ever contacted; a redirect anywhere
// else is refused (exit 6).
//
// Output: one line on stdout, "browser: OK ..." or "browser: FAIL ..." (details on stderr).
// Exit status:
//   0  delivered: the redirect reached the application's listener, which answered 2xx/3xx (or, for
//      the device flow and logout, the provider's success page was reached)
//   2  the provider showed an error page (its error and error_description are printed)
//   3  the redirect carried an authorization error (error=..., e.g. access_denied after --deny);
//      it was still delivered to the listener
//   4  the listener answered 4xx/5xx
//   5  the listener could not be reached (nothing listening, connection reset)
//   6  a redirect to a non-loopback address was refused
//   7  the sign-in was refused (wrong user or password)
//   8  an unexpected page or response, or bad arguments
//   124  overall timeout
import { appendFileSync } from 'node:fs';

const DEFAULT_PASSWORDS = { clara: 'clara-pw', sam: 'sam-pw', nora: 'nora-pw' };

function usage(msg) {
  if (msg) console.error(`browser: ${msg}`);
  console.error('usage: browser.mjs URL [--user U --password P] [--deny] [--timeout S] [--verbose]\n'
    + '       browser.mjs --device VERIFICATION_URI_COMPLETE [--user U --password P]\n'
    + '       browser.mjs --device VERIFICATION_URI --code USER_CODE [--user U --password P]');
  process.exit(8);
}

const opts = {
  url: undefined,
  device: false,
  code: undefined,
  user: process.env.IDP_USER || undefined,
  password: process.env.IDP_PASSWORD || undefined,
  deny: process.env.IDP_DENY === '1',
  timeout: Number(process.env.IDP_BROWSER_TIMEOUT || 30),
  verbose: process.env.IDP_BROWSER_VERBOSE === '1',
};
{
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i];
    const value = () => { if (i + 1 >= args.length) usage(`${a} needs a value`); i += 1; return args[i]; };
    if (a === '--device') { opts.device = true; opts.url = value(); }
    else if (a === '--code') opts.code = value();
    else if (a === '--user') opts.user = value();
    else if (a === '--password') opts.password = value();
    else if (a === '--deny') opts.deny = true;
    else if (a === '--timeout') opts.timeout = Number(value());
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (opts.url === undefined) opts.url = a;
    else usage(`unexpected argument ${a}`);
  }
}
if (!opts.url) usage('no URL given');
if (!Number.isFinite(opts.timeout) || opts.timeout <= 0) usage('--timeout must be a positive number of seconds');
opts.user ??= 'clara';
opts.password ??= DEFAULT_PASSWORDS[opts.user] ?? '';

const deadline = Date.now() + opts.timeout * 1000;
const log = (...a) => { if (opts.verbose) console.error('browser:', ...a); };

function finish(code, line, detail) {
  const out = `browser: ${code === 0 ? 'OK' : 'FAIL'} ${line}`;
  console.log(out);
  if (detail) console.error(`browser: ${detail}`);
  if (process.env.IDP_BROWSER_LOG) {
    try { appendFileSync(process.env.IDP_BROWSER_LOG, `${new Date().toISOString()} exit=${code} ${out}${detail ? ` (${detail})` : ''}\n`); } catch { /* best effort */ }
  }
  process.exit(code);
}
setTimeout(() => finish(124, `timed out after ${opts.timeout}s`), opts.timeout * 1000).unref();

// --- URLs ----------------------------------------------------------------------------------------
function isLoopback(u) {
  const h = u.hostname;
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
let start;
try { start = new URL(opts.url); } catch { usage(`not a URL: ${opts.url}`); }
if (!/^https?:$/.test(start.protocol)) usage(`not an http(s) URL: ${opts.url}`);
if (!isLoopback(start)) finish(6, `refusing a non-loopback URL ${start.origin}`);
const idpOrigin = start.origin;

// --- cookies (host and path matched, port ignored as browsers do) -------------------------------------
const jar = new Map(); // key host|path|name -> { host, path, name, value, expires }
function storeCookies(url, res) {
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq < 1) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = '/';
    let expires;
    for (const attr of attrs) {
      const [k, ...v] = attr.split('=');
      const key = k.trim().toLowerCase();
      const val = v.join('=').trim();
      if (key === 'path' && val.startsWith('/')) path = val;
      else if (key === 'max-age') expires = Date.now() + Number(val) * 1000;
      else if (key === 'expires' && expires === undefined) expires = Date.parse(val);
    }
    const id = `${url.hostname}|${path}|${name}`;
    if (expires !== undefined && expires <= Date.now()) jar.delete(id);
    else jar.set(id, { host: url.hostname, path, name, value, expires });
  }
}
function cookieHeader(url) {
  const now = Date.now();
  const pathOk = (p) => url.pathname === p || url.pathname.startsWith(p.endsWith('/') ? p : `${p}/`);
  return [...jar.values()]
    .filter((c) => c.host === url.hostname && pathOk(c.path) && (c.expires === undefined || c.expires > now))
    .sort((a, b) => b.path.length - a.path.length)
    .map((c) => `${c.name}=${c.value}`).join('; ');
}

// --- minimal HTML form reading ---------------------------------------------------------------
function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (m, e) => {
    const k = e.toLowerCase();
    if (k === 'amp') return '&';
    if (k === 'lt') return '<';
    if (k === 'gt') return '>';
    if (k === 'quot') return '"';
    if (k === 'apos' || k === '#39') return "'";
    if (k.startsWith('#x')) return String.fromCodePoint(parseInt(k.slice(2), 16));
    if (k.startsWith('#')) return String.fromCodePoint(parseInt(k.slice(1), 10));
    return m;
  });
}
function attrs(tag) {
  const out = {};
  for (const m of tag.matchAll(/([a-zA-Z_:][\w:.-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    out[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}
function forms(body) {
  const list = [];
  for (const m of body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const a = attrs(m[1]);
    const inputs = [...m[2].matchAll(/<input\b([^>]*)>/gi)].map((i) => attrs(i[1].replace(/\/$/, '')));
    list.push({ id: a.id ?? '', action: a.action ?? '', method: (a.method || 'get').toLowerCase(), inputs });
  }
  return list;
}
const textOf = (body) => body.replace(/<style[\s\S]*?<\/style>|<script[\s\S]*?<\/script>/gi, ' ')
  .replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
const titleOf = (body) => decodeEntities(body.match(/<title>([\s\S]*?)<\/title>/i)?.[1]?.trim() ?? '');

// --- the walk --------------------------------------------------------------------------------
async function request(url, { method = 'GET', form } = {}) {
  if (!isLoopback(url)) finish(6, `refusing a redirect to a non-loopback address: ${url.origin}`, `URL ${url.href}`);
  const headers = { 'user-agent': 'recon-test-browser/1', accept: 'text/html' };
  const cookie = cookieHeader(url);
  if (cookie) headers.cookie = cookie;
  let body;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  log(`${method} ${url.href}${body ? ` [${body.replace(/password=[^&]*/, 'password=***')}]` : ''}`);
  const res = await fetch(url, {
    method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
  });
  storeCookies(url, res);
  log(`-> ${res.status} ${res.headers.get('location') ?? ''}`);
  return res;
}

// The request that hands the redirect to the application's listener.
async function deliver(url, method, form) {
  const authError = url.searchParams.get('error') ?? (form && new URLSearchParams(form).get('error'));
  let res;
  try {
    res = await request(url, { method, form });
  } catch (err) {
    finish(5, `the listener at ${url.origin} could not be reached: ${err.cause?.code ?? err.message}`, `URL ${url.href}`);
  }
  // The status is what counts; a listener that never ends its body must not hold the bot.
  const text = await Promise.race([res.text().catch(() => ''), new Promise((r) => { setTimeout(r, 3000, '').unref(); })]);
  const where = `${url.origin}${url.pathname}`;
  if (authError) {
    finish(3, `authorization error ${authError} delivered to ${where} -> ${res.status}`,
      url.searchParams.get('error_description') ?? undefined);
  }
  if (res.status >= 400) finish(4, `${where} answered ${res.status}`, text.slice(0, 500));
  finish(0, `delivered to ${where} -> ${res.status}`);
}

let url = start;
let method = 'GET';
let form;
let loginTries = 0;
const seen = new Set();
for (let step = 0; step < 40; step += 1) {
  if (url.origin !== idpOrigin) await deliver(url, method, form);
  let res;
  try {
    res = await request(url, { method, form });
  } catch (err) {
    finish(8, `${method} ${url.origin}${url.pathname} failed: ${err.cause?.code ?? err.name}: ${err.cause?.message ?? err.message}`);
  }
  if ([301, 302, 303, 307, 308].includes(res.status)) {
    const location = res.headers.get('location');
    await res.arrayBuffer();
    if (!location) finish(8, `redirect ${res.status} without a Location from ${url.href}`);
    const next = new URL(location, url);
    if (!(res.status === 307 || res.status === 308)) { method = 'GET'; form = undefined; }
    url = next;
    continue;
  }
  const ctype = res.headers.get('content-type') ?? '';
  const body = await res.text();
  if (!ctype.includes('html')) finish(8, `unexpected ${res.status} ${ctype} from ${url.href}`, body.slice(0, 500));

  // The provider's error page (ours, or oidc-provider's stock one).
  if (body.includes('id="op-error"') || /oops! something went wrong/i.test(body)) {
    const error = body.match(/data-name="error">([^<]*)</)?.[1] ?? body.match(/<strong>error<\/strong>: ([^<]*)</)?.[1] ?? '?';
    const desc = body.match(/data-name="error_description">([^<]*)</)?.[1] ?? body.match(/<strong>error_description<\/strong>: ([^<]*)</)?.[1] ?? '';
    finish(2, `the provider refused: ${decodeEntities(error)}${desc ? `: ${decodeEntities(desc)}` : ''}`, `at ${url.href}`);
  }

  const fs = forms(body);
  const byId = (id) => fs.find((f) => f.id === id);
  const hidden = (f) => Object.fromEntries(f.inputs.filter((i) => i.name && i.type !== 'submit').map((i) => [i.name, i.value ?? '']));
  const submit = (f, fields) => {
    const key = `${f.action}|${JSON.stringify(fields)}`;
    if (seen.has(key)) finish(8, `the provider showed the same form again (${f.id || f.action}) at ${url.href}`, textOf(body).slice(0, 300));
    seen.add(key);
    url = new URL(f.action || url.href, url);
    method = f.method === 'post' ? 'POST' : 'GET';
    form = fields;
    if (method === 'GET') { url.search = new URLSearchParams(fields).toString(); form = undefined; }
  };

  const loginForm = fs.find((f) => f.inputs.some((i) => (i.type ?? '').toLowerCase() === 'password'));
  if (loginForm) {
    if (opts.deny && byId('abort')) { submit(byId('abort'), {}); continue; }
    if (loginTries > 0) {
      const why = body.match(/id="login-error">([^<]*)</)?.[1] ?? 'the login form was shown again';
      finish(7, `sign-in refused for ${opts.user}: ${decodeEntities(why)}`);
    }
    loginTries += 1;
    const fields = hidden(loginForm);
    const userField = loginForm.inputs.find((i) => ['login', 'username', 'user', 'email'].includes(i.name))?.name ?? 'login';
    const passField = loginForm.inputs.find((i) => (i.type ?? '').toLowerCase() === 'password').name;
    fields[userField] = opts.user;
    fields[passField] = opts.password;
    submit(loginForm, fields);
    continue;
  }
  if (byId('consent')) {
    submit(opts.deny ? byId('abort') : byId('consent'), {});
    continue;
  }
  if (byId('op.deviceInputForm')) {
    const f = byId('op.deviceInputForm');
    const said = textOf(body);
    if (/interrupted/i.test(said)) finish(3, 'device sign-in aborted (the provider says the request was interrupted)');
    if (/incorrect|error processing/i.test(said)) finish(2, `the provider refused the user code: ${said.replace(/^Sign-in\s*/, '').slice(0, 160)}`);
    const fields = hidden(f);
    if (!fields.user_code) {
      if (!opts.code) finish(8, 'the provider asks for a user code: give --code or the verification_uri_complete');
      fields.user_code = opts.code;
    }
    submit(f, fields);
    continue;
  }
  if (byId('op.deviceConfirmForm')) {
    const f = byId('op.deviceConfirmForm');
    const fields = hidden(f);
    if (opts.deny) { delete fields.confirm; fields.abort = 'yes'; }
    submit(f, fields);
    continue;
  }
  if (byId('op.logoutForm')) {
    submit(byId('op.logoutForm'), { ...hidden(byId('op.logoutForm')), ...(opts.deny ? {} : { logout: 'yes' }) });
    continue;
  }
  // An auto-submitting form (form_post response mode, device code hand-over, logout without session).
  if (fs.length === 1 && fs[0].method === 'post' && fs[0].inputs.every((i) => (i.type ?? 'hidden') === 'hidden')) {
    submit(fs[0], hidden(fs[0]));
    continue;
  }

  const title = titleOf(body);
  const text = textOf(body);
  if (/Sign-in Success/i.test(title)) finish(0, opts.device ? `device confirmed for ${opts.user}` : `signed in: ${text.slice(0, 120)}`);
  if (/Sign-out Success/i.test(title)) finish(0, 'signed out (the provider\'s sign-out page)');
  finish(8, `unexpected page "${title}" (${res.status}) at ${url.href}`, text.slice(0, 300));
}
finish(8, 'too many steps (a redirect loop?)');
