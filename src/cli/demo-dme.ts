/**
 * The DME part of the demo: a mobile client of the demo app `arena-server` 1.4.2 (AcmeGames) in Berlin registers
 * with the DME and asks for the nearest cloudlet. The same requests make the summary's curl example and the check
 * `cloudletd up --demo` runs before printing it, so the example shown is one that just worked.
 */
import { sleep, withTimeout } from '../core/abort.js';
import { Code, CodedError, asCodedError } from '../core/errors.js';
import { DEMO_DEVELOPER } from './demo-data.js';

/** The demo app a client registers as (it runs on every demo cloudlet). */
export const DEMO_CLIENT_APP = Object.freeze({ developer: DEMO_DEVELOPER, name: 'arena-server', version: '1.4.2' });

/** Where the demo client is: Berlin city centre (WGS 84 degrees); berlin-edge-1 is the nearest demo cloudlet. */
export const DEMO_CLIENT_LOCATION = Object.freeze({ latitude: 52.52, longitude: 13.405 });

/** The cloudlet FindCloudlet should answer for {@link DEMO_CLIENT_LOCATION}. */
export const DEMO_CLIENT_CLOUDLET = Object.freeze({ operator: 'TDG', name: 'berlin-edge-1' });

/** JSON body of `POST /v1/registerclient` (RegisterClientRequest, proto field names). */
export function registerClientBody(): { dev_name: string; app_name: string; app_vers: string } {
  return { dev_name: DEMO_CLIENT_APP.developer, app_name: DEMO_CLIENT_APP.name, app_vers: DEMO_CLIENT_APP.version };
}

/** JSON body of `POST /v1/findcloudlet` (FindCloudletRequest) with the session cookie of RegisterClient. */
export function findCloudletBody(cookie: string): { session_cookie: string; gps_location: { latitude: number; longitude: number } } {
  return { session_cookie: cookie, gps_location: { ...DEMO_CLIENT_LOCATION } };
}

/** Marks where the shell variable goes in the FindCloudlet body of the example. */
const COOKIE_PLACEHOLDER = '@COOKIE@';

/**
 * The two shell commands of the summary, for the DME's REST base URL (`http://127.0.0.1:38001`): RegisterClient,
 * keeping the session cookie in `$COOKIE` (with jq), then FindCloudlet from Berlin with it. POSIX sh. Pure.
 */
export function dmeCurlExample(httpUrl: string): string[] {
  const register = JSON.stringify(registerClientBody());
  // Double quotes around the body so that $COOKIE expands; the JSON's own quotes are escaped for the shell.
  const find = JSON.stringify(findCloudletBody(COOKIE_PLACEHOLDER)).replaceAll('"', '\\"').replace(COOKIE_PLACEHOLDER, '$COOKIE');
  return [
    `COOKIE=$(curl -s -X POST ${httpUrl}/v1/registerclient -d '${register}' | jq -r .session_cookie)`,
    `curl -s -X POST ${httpUrl}/v1/findcloudlet -d "${find}"`,
  ];
}

/** What FindCloudlet answered, as the REST gateway writes it (proto field names, enums as names). */
export interface FindCloudletAnswer {
  readonly status?: string;
  readonly fqdn?: string;
  readonly cloudlet_location?: { latitude?: number; longitude?: number };
}

async function post(url: string, body: unknown, signal: AbortSignal): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), signal });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

function describe(answer: { status: number; json: unknown }): string {
  return `HTTP ${answer.status} ${typeof answer.json === 'string' ? answer.json.trim() : JSON.stringify(answer.json)}`;
}

/**
 * Runs the example's two requests once against the DME at `httpUrl`: RegisterClient as the demo app, then
 * FindCloudlet from Berlin with its cookie. Resolves to FindCloudlet's answer (whatever its status); rejects with
 * a CodedError when a request fails or RegisterClient gives no cookie.
 */
export async function findDemoCloudlet(httpUrl: string, signal: AbortSignal): Promise<FindCloudletAnswer> {
  const registered = await post(`${httpUrl}/v1/registerclient`, registerClientBody(), signal);
  const cookie = (registered.json as { session_cookie?: unknown } | undefined)?.session_cookie;
  if (registered.status !== 200 || typeof cookie !== 'string' || cookie === '') {
    throw new CodedError(Code.FAILED_PRECONDITION, `RegisterClient: ${describe(registered)}`);
  }
  const found = await post(`${httpUrl}/v1/findcloudlet`, findCloudletBody(cookie), signal);
  if (found.status !== 200 || typeof found.json !== 'object' || found.json === null) {
    throw new CodedError(Code.FAILED_PRECONDITION, `FindCloudlet: ${describe(found)}`);
  }
  return found.json;
}

/**
 * Repeats {@link findDemoCloudlet} until FindCloudlet answers FIND_FOUND (the DME may get the demo AppInsts a moment
 * after the controller has them READY), at most until `timeoutMs`. Resolves to the answer; rejects with
 * DEADLINE_EXCEEDED giving the last answer or error, or with the signal's reason.
 */
export async function waitDemoCloudletFound(
  httpUrl: string,
  options: { signal: AbortSignal; timeoutMs: number; progress?: (message: string) => void },
): Promise<FindCloudletAnswer> {
  const deadline = withTimeout(options.signal, options.timeoutMs);
  let last = 'no answer yet';
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    try {
      const answer = await findDemoCloudlet(httpUrl, deadline);
      if (answer.status === 'FIND_FOUND') return answer;
      last = `FindCloudlet answered ${JSON.stringify(answer)}`;
    } catch (err) {
      if (options.signal.aborted) throw options.signal.reason;
      if (deadline.aborted) break;
      last = asCodedError(err).message;
    }
    options.progress?.(last);
    try {
      await sleep(delay, deadline);
    } catch {
      if (options.signal.aborted) throw options.signal.reason;
      break;
    }
  }
  throw new CodedError(Code.DEADLINE_EXCEEDED, `the DME did not find ${DEMO_CLIENT_APP.name} from Berlin within ${Math.round(options.timeoutMs / 1000)} s (last: ${last})`);
}
