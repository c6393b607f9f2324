// End-to-end check of the test OpenID provider (server.mjs) and the browser bot (browser.mjs),
// with this file standing in for the workbench: a loopback listener for the redirect, discovery,
// PKCE, the code exchange, ID token verification against the JWKS, refresh with rotation,
// revocation, RP-initiated logout, the device flow, max_age, and the error answers the workbench's
// negative tests will meet. Run with node's test runner:
//
//   node --test tests/idp/          (or: cd tests/idp && npm test)
//
// It starts its own provider on an ephemeral port (short ID token and access token lifetimes), so it
// does not disturb one started by scripts/idp.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createLocalJWKSet, jwtVerify, decodeProtectedHeader, decodeJwt } from 'jose';

const here = dirname(fileURLToPath(import.meta.url));
const CLIENT = 'recon-workbench';
const SHORT_TTL = 4; // seconds: ID token and access token lifetimes of the provider under test

let idp; // { proc, issuer }
let meta; // discovery document
let jwks;

function startProvider(env = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(here, 'server.mjs')], {
      env: { ...process.env, IDP_PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`provider did not start: ${err}`)), 15000);
    proc.stderr.on('data', (d) => { err += d; });
    const self = { proc, issuer: undefined, out: () => out };
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/IDP_READY (\S+)/);
      if (m && !self.issuer) { clearTimeout(timer); self.issuer = m[1]; resolve(self); }
    });
    proc.on('exit', (code) => reject(new Error(`provider exited ${code}: ${err}`)));
  });
}

// A stand-in for the app's loopback redirect listener: resolves with the callback's query.
function listener(path = '/callback') {
  let resolveHit;
  const hit = new Promise((r) => { resolveHit = r; });
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://127.0.0.1');
    if (u.pathname !== path) { res.writeHead(404).end('not here'); return; }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('You can close this window.');
    resolveHit(Object.fromEntries(u.searchParams));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    resolve({ server, port: server.address().port, redirectUri: `http://127.0.0.1:${server.address().port}${path}`, hit, close: () => server.close() });
  }));
}

function bot(args, env = {}) {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(here, 'browser.mjs'), ...args], { env: { ...process.env, ...env }, timeout: 40000 },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
  });
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');
function pkce() {
  const verifier = b64url(randomBytes(32));
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl({ clientId = CLIENT, redirectUri, challenge, state, nonce, scope = 'openid profile email groups offline_access', extra = {} }) {
  const u = new URL(meta.authorization_endpoint);
  u.search = new URLSearchParams({
    client_id: clientId, response_type: 'code', redirect_uri: redirectUri, scope, state, nonce,
    code_challenge: challenge, code_challenge_method: 'S256', ...extra,
  }).toString();
  return u.href;
}

async function form(endpoint, params) {
  const res = await fetch(endpoint, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text };
}

async function waitFor(pred, what, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = pred();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// One full browser sign-in; returns the callback's query and the PKCE/state/nonce used.
async function signIn({ user = 'clara', clientId = CLIENT, scope, extra, botArgs = [] } = {}) {
  const l = await listener();
  const { verifier, challenge } = pkce();
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const url = authorizeUrl({ clientId, redirectUri: l.redirectUri, challenge, state, nonce, scope, extra });
  const b = await bot([url, '--user', user, ...botArgs]);
  const query = b.code === 0 || b.code === 3 ? await Promise.race([l.hit, new Promise((r) => setTimeout(() => r(undefined), 2000))]) : undefined;
  l.close();
  return { bot: b, query, verifier, state, nonce, redirectUri: l.redirectUri, clientId };
}

async function exchange({ query, verifier, redirectUri, clientId = CLIENT }) {
  return form(meta.token_endpoint, {
    grant_type: 'authorization_code', code: query.code, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier,
  });
}

async function verifyIdToken(idToken, { clientId = CLIENT, nonce } = {}) {
  const { payload, protectedHeader } = await jwtVerify(idToken, jwks, { issuer: idp.issuer, audience: clientId, algorithms: ['RS256', 'ES256'] });
  if (nonce !== undefined) assert.equal(payload.nonce, nonce);
  return { payload, header: protectedHeader };
}

before(async () => {
  idp = await startProvider({ IDP_ID_TOKEN_TTL: String(SHORT_TTL), IDP_ACCESS_TOKEN_TTL: String(SHORT_TTL) });
  meta = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();
  jwks = createLocalJWKSet(await (await fetch(meta.jwks_uri)).json());
});
after(() => { idp?.proc.kill('SIGTERM'); });

test('discovery names the loopback issuer and the endpoints the workbench uses', async () => {
  assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(meta.issuer, idp.issuer);
  for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'revocation_endpoint', 'end_session_endpoint', 'device_authorization_endpoint']) {
    assert.ok(meta[k]?.startsWith(idp.issuer), `${k} ${meta[k]}`);
  }
  assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
  assert.ok(meta.scopes_supported.includes('groups'));
  assert.equal(meta.authorization_response_iss_parameter_supported, true);
  const keys = (await (await fetch(meta.jwks_uri)).json()).keys;
  assert.deepEqual(keys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
  assert.ok(keys.every((k) => k.kid && !k.d), 'public keys only, each with a kid');
});

test('authorization code + PKCE: bot signs in, code exchanged, ID token verified with groups', async () => {
  const s = await signIn({ user: 'sam' });
  assert.equal(s.bot.code, 0, s.bot.stdout + s.bot.stderr);
  assert.match(s.bot.stdout, /browser: OK delivered to http:\/\/127\.0\.0\.1:\d+\/callback -> 200/);
  assert.equal(s.query.state, s.state);
  assert.equal(s.query.iss, idp.issuer, 'RFC 9207 iss in the authorization response');
  const t = await exchange(s);
  assert.equal(t.status, 200, t.text);
  assert.equal(t.json.token_type, 'Bearer');
  assert.ok(t.json.refresh_token, 'offline_access gives a refresh token');
  assert.equal(t.json.expires_in, SHORT_TTL);
  const { payload, header } = await verifyIdToken(t.json.id_token, { nonce: s.nonce });
  assert.equal(header.alg, 'RS256');
  assert.equal(payload.sub, 'sam');
  assert.equal(payload.name, 'Sam Supervisor');
  assert.equal(payload.email, 'sam@example.test');
  assert.deepEqual(payload.groups, ['recon-supervisors', 'recon-clerks']);
  assert.equal(typeof payload.auth_time, 'number');
  assert.equal(payload.exp - payload.iat, SHORT_TTL);
  const me = await (await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${t.json.access_token}` } })).json();
  assert.equal(me.sub, 'sam');
  assert.deepEqual(me.groups, ['recon-supervisors', 'recon-clerks']);
});

test('clara and nora: their groups (nora has none)', async () => {
  for (const [user, groups] of [['clara', ['recon-clerks']], ['nora', []]]) {
    const s = await signIn({ user });
    assert.equal(s.bot.code, 0, s.bot.stdout + s.bot.stderr);
    const t = await exchange(s);
    const { payload } = await verifyIdToken(t.json.id_token, { nonce: s.nonce });
    assert.equal(payload.sub, user);
    assert.deepEqual(payload.groups, groups);
  }
});

test('wrong password: the bot fails with exit 7 and no redirect is delivered', async () => {
  const s = await signIn({ user: 'clara', botArgs: ['--password', 'not-it'] });
  assert.equal(s.bot.code, 7, s.bot.stdout + s.bot.stderr);
  assert.match(s.bot.stdout, /sign-in refused for clara: Invalid user or password/);
  assert.equal(s.query, undefined);
});

test('as $BROWSER: the file run by itself with only the URL; user, password, log from the environment', async () => {
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'bot-log-'));
  const l = await listener();
  const { challenge } = pkce();
  const url = authorizeUrl({ redirectUri: l.redirectUri, challenge, state: 's1', nonce: 'n1' });
  const b = await new Promise((resolve) => {
    execFile(join(here, 'browser.mjs'), [url], { env: { ...process.env, IDP_USER: 'nora', IDP_PASSWORD: 'nora-pw', IDP_BROWSER_LOG: join(dir, 'log') }, timeout: 40000 },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }));
  });
  assert.equal(b.code, 0, b.stdout + b.stderr);
  assert.ok((await l.hit).code);
  l.close();
  assert.match(readFileSync(join(dir, 'log'), 'utf8'), /exit=0 browser: OK delivered to http:\/\/127\.0\.0\.1:\d+\/callback -> 200/);
  rmSync(dir, { recursive: true, force: true });
});

test('deny: access_denied is delivered to the listener, bot exits 3', async () => {
  const s = await signIn({ botArgs: ['--deny'] });
  assert.equal(s.bot.code, 3, s.bot.stdout + s.bot.stderr);
  assert.equal(s.query.error, 'access_denied');
  assert.equal(s.query.state, s.state);
});

test('reused authorization code and wrong code_verifier: invalid_grant', async () => {
  const s = await signIn();
  assert.equal((await exchange(s)).status, 200);
  const again = await exchange(s);
  assert.equal(again.status, 400);
  assert.deepEqual(again.json, { error: 'invalid_grant', error_description: 'grant request is invalid' });

  const s2 = await signIn();
  const wrong = await exchange({ ...s2, verifier: pkce().verifier });
  assert.equal(wrong.status, 400);
  assert.deepEqual(wrong.json, { error: 'invalid_grant', error_description: 'grant request is invalid' });
  // A failed PKCE check consumes nothing: the right verifier still works once.
  const right = await exchange(s2);
  assert.equal(right.status, 200, right.text);
});

test('PKCE is required; a redirect URI that is not registered is refused on the provider page', async () => {
  const l = await listener();
  const u = new URL(authorizeUrl({ redirectUri: l.redirectUri, challenge: 'x', state: 's', nonce: 'n' }));
  u.searchParams.delete('code_challenge');
  u.searchParams.delete('code_challenge_method');
  const noPkce = await bot([u.href]);
  assert.equal(noPkce.code, 3, noPkce.stdout + noPkce.stderr);
  assert.equal((await l.hit).error, 'invalid_request');
  l.close();

  const { challenge } = pkce();
  for (const bad of ['http://192.0.2.1:8080/callback', 'http://localhost:8080/callback', 'http://127.0.0.1:8080/other']) {
    const b = await bot([authorizeUrl({ redirectUri: bad, challenge, state: 's', nonce: 'n' })]);
    assert.equal(b.code, 2, `${bad}: ${b.stdout}${b.stderr}`);
    assert.match(b.stdout, /the provider refused: invalid_redirect_uri/);
  }
});

test('ES256 client: ID token signed with the published ES256 key', async () => {
  const s = await signIn({ clientId: 'recon-workbench-es256' });
  assert.equal(s.bot.code, 0, s.bot.stdout + s.bot.stderr);
  const t = await exchange(s);
  const { header } = await verifyIdToken(t.json.id_token, { clientId: 'recon-workbench-es256', nonce: s.nonce });
  assert.equal(header.alg, 'ES256');
});

test('other-app: consent page accepted by the bot, ID token aud is other-app', async () => {
  const s = await signIn({ clientId: 'other-app', user: 'sam' });
  assert.equal(s.bot.code, 0, s.bot.stdout + s.bot.stderr);
  const t = await exchange(s);
  assert.equal(t.status, 200, t.text);
  assert.equal(decodeJwt(t.json.id_token).aud, 'other-app');
  await assert.rejects(verifyIdToken(t.json.id_token), /aud/);
});

test('refresh: rotated on use, the old one refused afterwards, ID token renewed after expiry', async () => {
  const s = await signIn();
  const t = await exchange(s);
  const first = decodeJwt(t.json.id_token);
  await new Promise((r) => setTimeout(r, (SHORT_TTL + 1) * 1000));
  await assert.rejects(verifyIdToken(t.json.id_token), /exp/);
  const r1 = await form(meta.token_endpoint, { grant_type: 'refresh_token', refresh_token: t.json.refresh_token, client_id: CLIENT });
  assert.equal(r1.status, 200, r1.text);
  assert.notEqual(r1.json.refresh_token, t.json.refresh_token, 'rotated');
  const { payload } = await verifyIdToken(r1.json.id_token);
  assert.equal(payload.sub, 'clara');
  assert.equal(payload.auth_time, first.auth_time, 'auth_time is the original sign-in');
  assert.ok(payload.iat > first.iat);
  assert.deepEqual(payload.groups, ['recon-clerks']);
  // Reuse of the rotated-out token: refused (and oidc-provider then revokes the whole grant).
  const reuse = await form(meta.token_endpoint, { grant_type: 'refresh_token', refresh_token: t.json.refresh_token, client_id: CLIENT });
  assert.equal(reuse.status, 400);
  assert.equal(reuse.json.error, 'invalid_grant');
  const after = await form(meta.token_endpoint, { grant_type: 'refresh_token', refresh_token: r1.json.refresh_token, client_id: CLIENT });
  assert.equal(after.status, 400, 'reuse detection revoked the rotated token too');
});

test('revocation (RFC 7009): a revoked refresh token no longer refreshes', async () => {
  const s = await signIn();
  const t = await exchange(s);
  const rev = await form(meta.revocation_endpoint, { token: t.json.refresh_token, token_type_hint: 'refresh_token', client_id: CLIENT });
  assert.equal(rev.status, 200);
  assert.equal(rev.text, '');
  const r = await form(meta.token_endpoint, { grant_type: 'refresh_token', refresh_token: t.json.refresh_token, client_id: CLIENT });
  assert.equal(r.status, 400);
  assert.equal(r.json.error, 'invalid_grant');
  // Revoking an unknown token is still 200 (RFC 7009 §2.2).
  assert.equal((await form(meta.revocation_endpoint, { token: 'nope', client_id: CLIENT })).status, 200);
});

test('end session: the bot confirms, the post_logout_redirect_uri gets the state back', async () => {
  const s = await signIn();
  const t = await exchange(s);
  const l = await listener('/logged-out');
  const u = new URL(meta.end_session_endpoint);
  u.search = new URLSearchParams({ id_token_hint: t.json.id_token, post_logout_redirect_uri: l.redirectUri, state: 'bye' }).toString();
  const b = await bot([u.href]);
  assert.equal(b.code, 0, b.stdout + b.stderr);
  assert.deepEqual(await l.hit, { state: 'bye' });
  l.close();
  // The bot has no session of its own between runs anyway; the grant of that sign-in is gone.
  const r = await form(meta.token_endpoint, { grant_type: 'refresh_token', refresh_token: t.json.refresh_token, client_id: CLIENT });
  assert.equal(r.status, 200, 'offline_access refresh tokens survive the end of the browser session');
});

test('device flow (RFC 8628): the bot confirms the user code, polling gets tokens', async () => {
  const d = await form(meta.device_authorization_endpoint, { client_id: CLIENT, scope: 'openid profile groups offline_access' });
  assert.equal(d.status, 200, d.text);
  for (const k of ['device_code', 'user_code', 'verification_uri', 'verification_uri_complete', 'expires_in']) assert.ok(d.json[k], k);
  const pending = await form(meta.token_endpoint, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: d.json.device_code, client_id: CLIENT });
  assert.equal(pending.json.error, 'authorization_pending');
  const b = await bot(['--device', d.json.verification_uri_complete, '--user', 'sam']);
  assert.equal(b.code, 0, b.stdout + b.stderr);
  assert.match(b.stdout, /device confirmed for sam/);
  const t = await form(meta.token_endpoint, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: d.json.device_code, client_id: CLIENT });
  assert.equal(t.status, 200, t.text);
  const { payload } = await verifyIdToken(t.json.id_token);
  assert.equal(payload.sub, 'sam');
  assert.deepEqual(payload.groups, ['recon-supervisors', 'recon-clerks']);
  assert.ok(t.json.refresh_token);

  // With --code on the plain verification_uri, and a deny.
  const d2 = await form(meta.device_authorization_endpoint, { client_id: CLIENT, scope: 'openid' });
  const b2 = await bot(['--device', d2.json.verification_uri, '--code', d2.json.user_code, '--deny']);
  assert.equal(b2.code, 3, b2.stdout + b2.stderr);
  const t2 = await form(meta.token_endpoint, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: d2.json.device_code, client_id: CLIENT });
  assert.equal(t2.json.error, 'access_denied');
});

test('max_age: auth_time is the sign-in time; max_age=0 forces a fresh login', async () => {
  const before = Math.floor(Date.now() / 1000);
  const s = await signIn({ extra: { max_age: '0' } });
  assert.equal(s.bot.code, 0, s.bot.stdout + s.bot.stderr);
  const { payload } = await verifyIdToken((await exchange(s)).json.id_token);
  assert.ok(payload.auth_time >= before - 1 && payload.auth_time <= Math.floor(Date.now() / 1000));
});

test('the bot refuses a non-loopback URL and gives up on a dead listener', async () => {
  const far = await bot(['http://192.0.2.1/auth']);
  assert.equal(far.code, 6, far.stdout + far.stderr);
  const l = await listener();
  const { challenge } = pkce();
  const url = authorizeUrl({ redirectUri: l.redirectUri, challenge, state: 's', nonce: 'n' });
  l.close();
  await new Promise((r) => setTimeout(r, 100));
  const dead = await bot([url]);
  assert.equal(dead.code, 5, dead.stdout + dead.stderr);
});

test('a provider restarted with the same IDP_KEYS_FILE keeps its kids; a new file rotates them', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'idp-keys-'));
  const kids = async (env) => {
    const p = await startProvider(env);
    const k = (await (await fetch(`${p.issuer}/jwks`)).json()).keys.map((x) => x.kid).sort();
    p.proc.kill('SIGTERM');
    return k;
  };
  const a = await kids({ IDP_KEYS_FILE: join(dir, 'a.json') });
  const a2 = await kids({ IDP_KEYS_FILE: join(dir, 'a.json') });
  const b = await kids({ IDP_KEYS_FILE: join(dir, 'b.json') });
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(a, a2);
  assert.notDeepEqual(a, b);
});

test('SIGHUP rotates the signing keys: new kid on refresh, old tokens still verify, grants survive', async () => {
  const s = await signIn({ user: 'sam' });
  const t = await exchange(s);
  const oldKeys = (await (await fetch(meta.jwks_uri)).json()).keys;
  const oldKid = decodeProtectedHeader(t.json.id_token).kid;
  assert.ok(oldKeys.some((k) => k.kid === oldKid));
  idp.proc.kill('SIGHUP');
  const line = await waitFor(() => idp.out().match(/IDP_KEYS_ROTATED (\S+) (\S+)/), 'IDP_KEYS_ROTATED');
  const r = await form(meta.token_endpoint, { grant_type: 'refresh_token', refresh_token: t.json.refresh_token, client_id: CLIENT });
  assert.equal(r.status, 200, r.text);
  const newKid = decodeProtectedHeader(r.json.id_token).kid;
  assert.equal(newKid, line[1], 'the new RS256 key signs');
  assert.ok(!oldKeys.some((k) => k.kid === newKid), 'a kid the cached JWKS does not have');
  const fresh = (await (await fetch(meta.jwks_uri)).json()).keys;
  assert.deepEqual(fresh.map((k) => k.kid), [line[1], line[2], ...oldKeys.map((k) => k.kid)]);
  const freshSet = createLocalJWKSet({ keys: fresh });
  await jwtVerify(r.json.id_token, freshSet, { issuer: idp.issuer, audience: CLIENT });
  await jwtVerify(t.json.id_token, freshSet, { issuer: idp.issuer, audience: CLIENT });
  await assert.rejects(jwtVerify(r.json.id_token, createLocalJWKSet({ keys: oldKeys }), { issuer: idp.issuer, audience: CLIENT }));
  jwks = freshSet;
  // A new sign-in after the rotation works as before.
  const s2 = await signIn({ user: 'clara' });
  assert.equal(s2.bot.code, 0, s2.bot.stdout + s2.bot.stderr);
  assert.equal(decodeProtectedHeader((await exchange(s2)).json.id_token).kid, line[1]);
});

test('a long run fills the store: 1100 device authorizations later the first refresh token still works', async () => {
  // oidc-provider's quick-start adapter is an LRU of 1000 entries that would have evicted it.
  const first = await exchange(await signIn());
  for (let i = 0; i < 1100; i += 1) {
    await form(meta.device_authorization_endpoint, { client_id: CLIENT, scope: 'openid' });
  }
  const r = await form(meta.token_endpoint, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token, client_id: CLIENT });
  assert.equal(r.status, 200, r.text);
});
