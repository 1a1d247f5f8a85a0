import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.gen';
import { ApiError } from './problem';

// The CSRF token of the current cookie session; the API wants it on every
// unsafe request made with the session cookie (it arrives with /me, login
// and signup).
let csrfToken = '';

export function setCsrfToken(token: string | undefined) {
  csrfToken = token ?? '';
}

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const csrf: Middleware = {
  onRequest({ request }) {
    if (unsafe.has(request.method) && csrfToken) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
};

// Types come from the server's OpenAPI document (npm run gen:api), so a
// server change that breaks the client fails the type check and the build.
// fetch is looked up per call (not captured once) so tests can stub it.
export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? 'http://localhost',
  credentials: 'same-origin',
  fetch: (req) => globalThis.fetch(req),
});
api.use(csrf);

type Result<T> = { data?: T; error?: unknown; response: Response };

/** unwrap returns the data of a call or throws an ApiError. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) throw ApiError.from(response.status, error);
  return data as T;
}

/** newIdempotencyKey makes creating POSTs safe to retry (the API replays the first answer). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** putBinary sends a file as the raw request body (uploads), with the CSRF header. */
export function putBinary(path: string, file: Blob): Promise<unknown> {
  return sendBinary('PUT', path, file);
}

/** sendBinary is putBinary for any method (a return photo is POSTed: each upload adds one). */
export async function sendBinary(method: 'PUT' | 'POST', path: string, file: Blob): Promise<unknown> {
  const res = await fetch(path, {
    method,
    body: file,
    credentials: 'same-origin',
    headers: { 'Content-Type': file.type || 'application/octet-stream', ...(csrfToken ? { 'X-CSRF-Token': csrfToken } : {}) },
  });
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw ApiError.from(res.status, body);
  return body;
}
