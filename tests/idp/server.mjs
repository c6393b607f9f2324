// A standards-compliant OpenID provider for the workbench's sign-in tests (npm `oidc-provider`),
// on loopback only. Test-only: fixed accounts with plain passwords, in-memory storage, keys made at
// start (or read from IDP_KEYS_FILE). It issues tokens only through the standard endpoints: there
// is no back door that mints or forges a token.
//
//   IDP_PORT=0 node tests/idp/server.mjs      # prints "IDP_READY http://127.0.0.1:PORT" when listening
//
// Environment (all optional):
//   IDP_PORT                 port on 127.0.0.1 (default 0: an ephemeral one); the issuer is
//                            http://127.0.0.1:PORT with no trailing slash
//   IDP_ID_TOKEN_TTL         ID token lifetime, seconds (default 3600)
//   IDP_ACCESS_TOKEN_TTL     access token lifetime, seconds (default 3600)
//   IDP_REFRESH_TOKEN_TTL    refresh token lifetime, seconds (default 86400)
//   IDP_SESSION_TTL          provider (browser) session lifetime, seconds (default 86400)
//   IDP_DEVICE_CODE_TTL      device code lifetime, seconds (default 600)
//   IDP_KEYS_FILE            a JSON file {"keys":[private JWKs]}: read if it exists, else the keys
//                            made at start are written there (so a restart keeps its kids; delete the
//                            file to rotate the keys)
//   IDP_DEBUG=1              log every provider event to stderr
//
// SIGHUP rotates the signing keys (new ones sign, the old ones stay in the JWKS) and prints
// "IDP_KEYS_ROTATED <kids>"; `scripts/idp.sh rotate-keys` sends it.
//
// Clients (all public native clients: token_endpoint_auth_method none, PKCE S256 required,
// redirect http://127.0.0.1:{any port}/callback per RFC 8252 §7.3):
//   recon-workbench          the workbench; ID token RS256; consent is granted automatically
//   recon-workbench-es256    the same with ES256-signed ID tokens (the ES256 path of the validator)
//   other-app                another application (tokens with the wrong aud for the workbench); it
//                            shows a consent page, which the browser bot accepts
// Accounts: clara/clara-pw, sam/sam-pw, nora/nora-pw (see ACCOUNTS below).
import { generateKeyPairSync, createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import http from 'node:http';

import Provider from 'oidc-provider';
// The stock in-memory adapter, over our own store (oidc-provider is pinned to an exact version).
import MemoryAdapter from 'oidc-provider/lib/adapters/memory_adapter.js';

const ACCOUNTS = {
  clara: { password: 'clara-pw', name: 'Clara Clerk', email: 'clara@example.test', groups: ['recon-clerks'] },
  sam: { password: 'sam-pw', name: 'Sam Supervisor', email: 'sam@example.test', groups: ['recon-supervisors', 'recon-clerks'] },
  nora: { password: 'nora-pw', name: 'Nora Nogroup', email: 'nora@example.test', groups: [] },
};

// Clients whose consent is given without a page (first-party, as an IT-managed Okta app would be).
const FIRST_PARTY = new Set(['recon-workbench', 'recon-workbench-es256']);

function envInt(name, dflt) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`idp: ${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

const PORT = envInt('IDP_PORT', 0);
const TTL = {
  idToken: envInt('IDP_ID_TOKEN_TTL', 3600),
  accessToken: envInt('IDP_ACCESS_TOKEN_TTL', 3600),
  refreshToken: envInt('IDP_REFRESH_TOKEN_TTL', 86400),
  session: envInt('IDP_SESSION_TTL', 86400),
  deviceCode: envInt('IDP_DEVICE_CODE_TTL', 600),
};

// Signing keys: RS256 (the default for ID tokens) and ES256, both published in the JWKS.
function thumbprintKid(jwk) {
  const members = jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}
function makeKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return {
    keys: [
      { ...rsa, alg: 'RS256', use: 'sig', kid: thumbprintKid(rsa) },
      { ...ec, alg: 'ES256', use: 'sig', kid: thumbprintKid(ec) },
    ],
  };
}
const keysFile = process.env.IDP_KEYS_FILE;
function saveKeys(set) {
  if (!keysFile) return;
  mkdirSync(dirname(keysFile), { recursive: true });
  writeFileSync(keysFile, JSON.stringify(set), { mode: 0o600 });
}
let jwks;
if (keysFile && existsSync(keysFile)) {
  jwks = JSON.parse(readFileSync(keysFile, 'utf8'));
} else {
  jwks = makeKeys();
  saveKeys(jwks);
}

// Storage shared by every Provider instance of this process (see the key rotation below) and,
// unlike oidc-provider's quick-start adapter (an LRU of 1000 entries), never evicting anything
// before it expires: a long test run keeps its refresh tokens.
class Store {
  #map = new Map();

  get(key) {
    const entry = this.#map.get(key);
    if (entry && entry.expiry !== undefined && entry.expiry <= Date.now()) {
      this.#map.delete(key);
      return undefined;
    }
    return entry?.value;
  }

  set(key, value, { maxAge } = {}) {
    const expiry = typeof maxAge === 'number' && Number.isFinite(maxAge) ? Date.now() + maxAge : undefined;
    this.#map.set(key, { value, expiry });
    return this;
  }

  delete(key) {
    return this.#map.delete(key);
  }

  sweep() {
    for (const key of [...this.#map.keys()]) this.get(key);
  }
}
const store = new Store();
setInterval(() => store.sweep(), 60_000).unref();

const nativeClient = (clientId, extra = {}) => ({
  client_id: clientId,
  client_name: clientId,
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://127.0.0.1/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1/logged-out', 'http://127.0.0.1/callback'],
  response_types: ['code'],
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  id_token_signed_response_alg: 'RS256',
  // auth_time in every ID token (oidc-provider adds it otherwise only when max_age was requested).
  require_auth_time: true,
  ...extra,
});

const html = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
function page(title, body) {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${html(title)}</title>
<style>body{font-family:sans-serif;max-width:26em;margin:3em auto}input,button{display:block;margin:.4em 0;width:100%;padding:.4em}.error{color:#b00}</style>
</head><body><h1>${html(title)}</h1>
${body}
</body></html>`;
}

const configuration = {
  clients: [
    nativeClient('recon-workbench', { client_name: 'Reconciliation Workbench' }),
    nativeClient('recon-workbench-es256', { client_name: 'Reconciliation Workbench (ES256)', id_token_signed_response_alg: 'ES256' }),
    nativeClient('other-app', { client_name: 'Other App' }),
  ],
  adapter: (model) => new MemoryAdapter(model, store, 15),
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  responseTypes: ['code'],
  scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
    acr: null,
    sid: null,
    auth_time: null,
    iss: null,
  },
  // Claims of the granted scopes go into the ID token too (as with an Okta groups claim), not only
  // into the userinfo response.
  conformIdTokenClaims: false,
  async findAccount(_ctx, sub) {
    if (!Object.hasOwn(ACCOUNTS, sub)) return undefined;
    const account = ACCOUNTS[sub];
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          name: account.name,
          preferred_username: sub,
          email: account.email,
          email_verified: true,
          groups: [...account.groups],
        };
      },
    };
  },
  features: {
    devInteractions: { enabled: false }, // our own login form below
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    userinfo: { enabled: true },
    introspection: { enabled: false },
  },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  ttl: {
    AccessToken: TTL.accessToken,
    AuthorizationCode: 60,
    IdToken: TTL.idToken,
    RefreshToken: TTL.refreshToken,
    Session: TTL.session,
    Grant: TTL.refreshToken > TTL.session ? TTL.refreshToken : TTL.session,
    Interaction: 600,
    DeviceCode: TTL.deviceCode,
  },
  interactions: {
    url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  // The stock page prints the error and its description; the browser bot reads them.
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<div id="op-error">${Object.entries(out)
      .map(([k, v]) => `<p><strong>${html(k)}</strong>: <span data-name="${html(k)}">${html(v)}</span></p>`).join('\n')}</div>`);
  },
};

const issuerPlaceholder = 'http://127.0.0.1';

// The issuer needs the port, which is only known once listening; so listen first, then build the
// provider and serve through it.
const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(PORT, '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `${issuerPlaceholder}:${port}`;
const debug = process.env.IDP_DEBUG === '1';
function makeProvider() {
  const p = new Provider(issuer, { ...configuration, jwks });
  p.on('server_error', (_ctx, err) => console.error('idp: server_error', err));
  if (debug) {
    for (const ev of ['grant.error', 'authorization.error', 'end_session.error', 'revocation.error', 'userinfo.error',
      'grant.success', 'authorization.success', 'end_session.success', 'interaction.started', 'interaction.ended',
      'grant.revoked', 'refresh_token.consumed', 'authorization_code.consumed']) {
      p.on(ev, (_ctx, arg) => console.error(`idp: ${ev}`, arg instanceof Error ? `${arg.name}: ${arg.message} ${arg.error_description ?? ''}` : (arg?.jti ?? arg ?? '')));
    }
  }
  return p;
}
let provider = makeProvider();
let callback = provider.callback();

// Key rotation, as an OpenID provider does it: on SIGHUP new RS256 and ES256 keys sign from now
// on, and the old ones stay published for the tokens already issued. Sessions, grants and tokens
// survive (the store is shared). Prints "IDP_KEYS_ROTATED <new kids>".
process.on('SIGHUP', () => {
  const fresh = makeKeys();
  jwks = { keys: [...fresh.keys, ...jwks.keys] };
  saveKeys(jwks);
  provider = makeProvider();
  callback = provider.callback();
  console.log(`IDP_KEYS_ROTATED ${fresh.keys.map((k) => k.kid).join(' ')}`);
});

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(uid, details, error) {
  const hint = details.params.login_hint ?? '';
  return page('Sign in', `${error ? `<p class="error" id="login-error">${html(error)}</p>` : ''}
<p>Client: <strong id="client">${html(details.params.client_id)}</strong></p>
<form id="login" method="post" action="/interaction/${uid}/login" autocomplete="off">
  <input type="text" name="login" placeholder="user" value="${html(hint)}" autofocus>
  <input type="password" name="password" placeholder="password">
  <button type="submit">Sign in</button>
</form>
<form id="abort" method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`);
}

function consentPage(uid, details) {
  const scopes = details.prompt.details.missingOIDCScope ?? [];
  return page('Allow access?', `<p><strong id="client">${html(details.params.client_id)}</strong> asks for: ${html(scopes.join(' ') || '(nothing new)')}</p>
<form id="consent" method="post" action="/interaction/${uid}/confirm"><button type="submit">Allow</button></form>
<form id="abort" method="post" action="/interaction/${uid}/abort"><button type="submit">Deny</button></form>`);
}

// Gives the client what the consent prompt found missing and finishes the interaction.
async function grantConsent(req, res, details) {
  const { prompt: { details: missing }, params, session } = details;
  let grant;
  if (details.grantId) {
    grant = await provider.Grant.find(details.grantId);
  }
  if (!grant) {
    grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  }
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

async function interactions(req, res, url) {
  const m = url.pathname.match(/^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/);
  if (!m) return send(res, 404, page('Not found', ''));
  const [, uid, action] = m;
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Error', '<p>interaction mismatch</p>'));
  const { prompt } = details;

  if (!action && req.method === 'GET') {
    if (prompt.name === 'login') return send(res, 200, loginPage(uid, details));
    if (prompt.name === 'consent') {
      if (FIRST_PARTY.has(details.params.client_id)) return grantConsent(req, res, details);
      return send(res, 200, consentPage(uid, details));
    }
    return send(res, 400, page('Error', `<p>unknown prompt ${html(prompt.name)}</p>`));
  }
  if (req.method !== 'POST') return send(res, 405, page('Method not allowed', ''));
  const form = await readForm(req);
  if (action === 'login') {
    if (prompt.name !== 'login') return send(res, 400, page('Error', '<p>no login expected</p>'));
    const login = form.get('login') ?? '';
    const account = Object.hasOwn(ACCOUNTS, login) ? ACCOUNTS[login] : undefined;
    if (!account || form.get('password') !== account.password) {
      return send(res, 200, loginPage(uid, details, 'Invalid user or password'));
    }
    return provider.interactionFinished(req, res, { login: { accountId: login, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
  }
  if (action === 'confirm') {
    if (prompt.name !== 'consent') return send(res, 400, page('Error', '<p>no consent expected</p>'));
    return grantConsent(req, res, details);
  }
  // abort
  return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
}

// Stock oidc-provider silently drops offline_access (so: no refresh token) unless the request's
// prompt includes consent (OIDC Core §11). Okta, which this provider stands in for, issues refresh
// tokens to its first-party apps without that; so for the first-party clients a request for
// offline_access counts as prompting for consent, which they are granted without a page anyway.
// other-app keeps the stock behaviour.
function firstPartyOfflineAccess(req, url) {
  if (req.method !== 'GET' || url.pathname !== '/auth') return;
  const q = url.searchParams;
  if (!FIRST_PARTY.has(q.get('client_id') ?? '') || !(q.get('scope') ?? '').split(' ').includes('offline_access')) return;
  const prompt = (q.get('prompt') ?? '').split(' ').filter(Boolean);
  if (prompt.includes('consent') || prompt.includes('none')) return;
  q.set('prompt', [...prompt, 'consent'].join(' '));
  req.url = `${url.pathname}?${q}`;
}

server.on('request', (req, res) => {
  const url = new URL(req.url, issuer);
  firstPartyOfflineAccess(req, url);
  if (url.pathname.startsWith('/interaction/')) {
    interactions(req, res, url).catch((err) => {
      if (debug) console.error('idp: interaction error', err);
      if (!res.headersSent) send(res, err.statusCode ?? 500, page('Error', `<div id="op-error"><p><strong>error</strong>: <span data-name="error">${html(err.error ?? 'server_error')}</span></p><p><strong>error_description</strong>: <span data-name="error_description">${html(err.error_description ?? err.message)}</span></p></div>`));
      else res.end();
    });
    return;
  }
  callback(req, res);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => { server.close(); server.closeAllConnections?.(); process.exit(0); });
}

console.log(`IDP_READY ${issuer}`);
