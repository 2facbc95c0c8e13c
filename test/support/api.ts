/** A small client for the /api/v1 of a test service: JSON in, status and JSON (or text) out. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  type: string;
  body: T;
  headers: Headers;
}

export function apiClient(baseUrl: string, token?: string) {
  const call = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> => {
    const init: RequestInit = { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } };
    if (body !== undefined && body !== null) {
      if (typeof body === 'string' || body instanceof Uint8Array) init.body = body as BodyInit;
      else {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      }
    }
    const res = await fetch(`${baseUrl}${path}`, init);
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const parsed = /json/.test(type) && text ? JSON.parse(text) : text;
    return { status: res.status, type, body: parsed as T, headers: res.headers };
  };
  return {
    get: <T = Record<string, unknown>>(path: string, headers?: Record<string, string>) => call<T>('GET', path, undefined, headers),
    post: <T = Record<string, unknown>>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('POST', path, body, headers),
    patch: <T = Record<string, unknown>>(path: string, body?: unknown) => call<T>('PATCH', path, body),
    call,
  };
}

export type Api = ReturnType<typeof apiClient>;

/** An issuer, a badge and a token for an operator of that issuer. */
export async function setUpIssuer(admin: Api, baseUrl: string, name = 'BGE Hauts-de-France'): Promise<{ issuerId: string; achievementId: string; operator: Api; operatorToken: string; did: string }> {
  const issuer = await admin.post<{ id: string; did: string }>('/api/v1/issuers', { name, url: 'https://www.example.org', email: 'contact@example.org' });
  if (issuer.status !== 201) throw new Error(`issuer: ${issuer.status} ${JSON.stringify(issuer.body)}`);
  const user = await admin.post<{ token: string }>(`/api/v1/issuers/${issuer.body.id}/users`, { email: `admin-${issuer.body.id.slice(0, 8)}@example.org`, role: 'operator_admin' });
  const operator = apiClient(baseUrl, user.body.token);
  const achievement = await operator.post<{ id: string }>('/api/v1/achievements', { issuerId: issuer.body.id, catalogueKey: 'de-l-idee-a-l-opportunite' });
  if (achievement.status !== 201) throw new Error(`achievement: ${achievement.status} ${JSON.stringify(achievement.body)}`);
  return { issuerId: issuer.body.id, achievementId: achievement.body.id, operator, operatorToken: user.body.token, did: issuer.body.did };
}

export function csvOf(rows: number, prefix = 'porteur'): string {
  const lines = ['email;nom'];
  for (let i = 0; i < rows; i++) lines.push(`${prefix}${i}@example.fr;Porteur ${i}`);
  return lines.join('\n');
}
