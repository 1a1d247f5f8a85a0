import type { ReactElement } from 'react';
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import { SessionProvider } from '../auth/session';
import { theme } from '../theme';

/** renderRoute renders routes at a path with the app's providers and a fresh query cache. */
export function renderRoute(routes: RouteObject[], path: string) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const ui: ReactElement = (
    <MantineProvider theme={theme}>
      <QueryClientProvider client={qc}>
        <SessionProvider>
          <RouterProvider router={router} />
        </SessionProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
  return { ...render(ui), router };
}

/** mockFetch answers API calls from a table of "METHOD /path" → [status, body]. */
export function mockFetch(table: Record<string, [number, unknown]>) {
  const calls: { method: string; path: string; body?: string }[] = [];
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(req.url);
    const key = `${req.method} ${url.pathname}`;
    calls.push({ method: req.method, path: url.pathname, body: req.method === 'GET' ? undefined : await req.clone().text() });
    const [status, body] = table[key] ?? [404, { title: 'Not Found', status: 404, code: 'not_found' }];
    const ok = status < 400;
    return new Response(status === 204 ? null : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': ok ? 'application/json' : 'application/problem+json' },
    });
  }) as typeof fetch;
  return calls;
}
