/**
 * On an HTTPS deployment every cookie Blason sets is Secure (issue 11 §7.8), not only the session cookies: the
 * sign-in forms' CSRF cookies, the language, the administrator's chosen organisation. The public origin decides
 * (BLASON_BASE_URL), not the connection: TLS usually ends at a proxy, and here the service listens on plain HTTP
 * on loopback behind an https origin. On a plain-HTTP deployment cookies are not Secure (browsers would drop them).
 */
import { CookieJar, hiddenField } from '../support/holder.js';
import { freePort, startInProcess, type InProcessService } from '../support/service.js';

const ADMIN_PASSWORD = 'mot-de-passe-administrateur';

/** The Set-Cookie line that sets `name` in the response. */
function setCookie(res: Response, name: string): string {
  const line = res.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));
  if (!line) throw new Error(`No ${name} cookie in ${JSON.stringify(res.headers.getSetCookie())}`);
  return line;
}

const isSecure = (line: string) => line.split(';').some((attribute) => attribute.trim().toLowerCase() === 'secure');

describe('with an https public origin', () => {
  let service: InProcessService;
  let local: string;

  beforeAll(async () => {
    const port = await freePort();
    service = await startInProcess({
      port, extra: { BLASON_BASE_URL: `https://127.0.0.1:${port}`, BLASON_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    local = `http://127.0.0.1:${port}`;
  }, 30_000);

  afterAll(async () => {
    await service?.stop();
  });

  test('the console sign-in form\'s CSRF cookie is Secure', async () => {
    expect(isSecure(setCookie(await fetch(`${local}/console/login`), 'blason_csrf'))).toBe(true);
  });

  test('the holder sign-in form\'s CSRF cookie is Secure', async () => {
    expect(isSecure(setCookie(await fetch(`${local}/holder/login`), 'blason_hcsrf'))).toBe(true);
  });

  test('the language cookie is Secure', async () => {
    expect(isSecure(setCookie(await fetch(`${local}/verify?lang=en`), 'lang'))).toBe(true);
  });

  describe('signed in as the platform administrator', () => {
    const jar = new CookieJar();
    let signedIn: Response;

    beforeAll(async () => {
      const csrf = hiddenField(await (await jar.fetch(`${local}/console/login`)).text(), '_csrf');
      signedIn = await jar.post(`${local}/console/login`, {
        _csrf: csrf, email: 'admin@blason.local', password: ADMIN_PASSWORD, next: '',
      });
    });

    test('the session cookie is Secure', () => {
      expect(isSecure(setCookie(signedIn, 'blason_session'))).toBe(true);
    });

    test('the chosen organisation\'s cookie is Secure', async () => {
      const admin = await (await jar.fetch(`${local}/console/admin`)).text();
      const org = /name="org" value="([0-9a-f-]{36})"/.exec(admin)![1]!;
      const res = await jar.post(`${local}/console/organisation`, { _csrf: hiddenField(admin, '_csrf'), org });
      expect(isSecure(setCookie(res, 'console_org'))).toBe(true);
    });

    test('signing out clears the session cookie with Secure too', async () => {
      const page = await (await jar.fetch(`${local}/console`)).text();
      const res = await jar.post(`${local}/console/logout`, { _csrf: hiddenField(page, '_csrf') });
      expect(isSecure(setCookie(res, 'blason_session'))).toBe(true);
    });
  });
});

describe('with a plain-http public origin', () => {
  let service: InProcessService;

  beforeAll(async () => {
    service = await startInProcess();
  }, 30_000);

  afterAll(async () => {
    await service?.stop();
  });

  test('cookies are not Secure, or browsers would never send them back', async () => {
    expect(isSecure(setCookie(await fetch(`${service.url}/console/login`), 'blason_csrf'))).toBe(false);
  });
});
