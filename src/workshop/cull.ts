/**
 * Idle culling through JupyterHub's REST API (JupyterHub 3.0 on Debian does not package
 * jupyterhub-idle-culler). The hub runs `ep-lab workshop cull` as a managed service with a token whose
 * role allows listing users, reading activity and stopping servers; every `--every` seconds it stops each
 * learner server whose last activity is older than `--idle-timeout` seconds.
 */
import { show } from "../util/validate";

/** The part of a JupyterHub server model the culler reads. */
export interface HubServerModel {
  name?: string;
  ready?: boolean;
  pending?: string | null;
  last_activity?: string | null;
  started?: string | null;
}

/** The part of a JupyterHub user model the culler reads. */
export interface HubUserModel {
  name: string;
  admin?: boolean;
  servers?: Record<string, HubServerModel>;
}

/** A server to stop. */
export interface IdleServer {
  user: string;
  /** "" for the default server. */
  server: string;
  /** Seconds since its last activity (or since it started, when it has no activity). */
  idleSeconds: number;
}

/**
 * Which servers are idle longer than the threshold (pure). Servers still starting or stopping are skipped.
 * @param users user models from `GET /hub/api/users`
 * @param idleTimeoutSeconds threshold (seconds, ≥ 0)
 * @param now current time
 * @returns the servers to stop
 * @throws {TypeError} when users is not an array; {RangeError} for a bad threshold
 * @example idleServers([{ name: "a", servers: { "": { ready: true, last_activity: "2026-01-01T00:00:00Z" } } }], 60, new Date("2026-01-01T01:00:00Z")); // [{ user: "a", server: "", idleSeconds: 3600 }]
 */
export function idleServers(users: readonly HubUserModel[], idleTimeoutSeconds: number, now: Date = new Date()): IdleServer[] {
  if (!Array.isArray(users)) throw new TypeError(`users must be an array of user models, got ${show(users)}`);
  if (typeof idleTimeoutSeconds !== "number" || !Number.isFinite(idleTimeoutSeconds) || idleTimeoutSeconds < 0) throw new RangeError(`idleTimeoutSeconds must be a finite number ≥ 0, got ${show(idleTimeoutSeconds)}`);
  const out: IdleServer[] = [];
  for (const u of users) {
    for (const [name, s] of Object.entries<HubServerModel>(u.servers ?? {})) {
      if (!s || s.pending || s.ready === false) continue;
      const stamp = s.last_activity ?? s.started;
      const t = stamp ? Date.parse(stamp.endsWith("Z") || /[+-]\d\d:?\d\d$/.test(stamp) ? stamp : stamp + "Z") : NaN;
      if (Number.isNaN(t)) continue;
      const idle = (now.getTime() - t) / 1000;
      if (idle >= idleTimeoutSeconds) out.push({ user: u.name, server: name, idleSeconds: Math.round(idle) });
    }
  }
  return out;
}

async function hubApi(apiUrl: string, token: string, route: string, method = "GET"): Promise<Response> {
  return fetch(`${apiUrl.replace(/\/$/, "")}${route}`, { method, headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(30_000) });
}

/**
 * One culling pass: list users with running servers, stop those idle longer than the threshold.
 * @param options.apiUrl the hub API, e.g. `http://127.0.0.1:8081/hub/api` (JUPYTERHUB_API_URL)
 * @param options.token an API token with list:users, read:users:activity, read:servers, delete:servers
 * @param options.idleTimeoutSeconds threshold (seconds ≥ 0)
 * @param options.now current time (default now)
 * @returns the servers it asked the hub to stop
 * @throws {Error} when the hub refuses or cannot be reached; {RangeError|TypeError} for bad options
 * @example await cullOnce({ apiUrl: process.env.JUPYTERHUB_API_URL!, token: process.env.JUPYTERHUB_API_TOKEN!, idleTimeoutSeconds: 3600 });
 */
export async function cullOnce(options: { apiUrl: string; token: string; idleTimeoutSeconds: number; now?: Date }): Promise<IdleServer[]> {
  if (typeof options !== "object" || options === null) throw new TypeError(`options must be an object, got ${show(options)}`);
  for (const k of Object.keys(options)) if (!["apiUrl", "token", "idleTimeoutSeconds", "now"].includes(k)) throw new RangeError(`unknown option ${JSON.stringify(k)}; known: apiUrl, token, idleTimeoutSeconds, now`);
  if (typeof options.apiUrl !== "string" || !/^https?:\/\//.test(options.apiUrl)) throw new TypeError(`apiUrl must be an http(s) URL, got ${show(options.apiUrl)}`);
  if (typeof options.token !== "string" || options.token === "") throw new TypeError("token must be a non-empty string");
  const users: HubUserModel[] = [];
  for (let offset = 0; ; ) {
    const res = await hubApi(options.apiUrl, options.token, `/users?state=active&offset=${offset}&limit=200`);
    if (!res.ok) throw new Error(`GET /users answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const page = (await res.json()) as HubUserModel[] | { items: HubUserModel[] };
    const items = Array.isArray(page) ? page : page.items;
    users.push(...items);
    if (Array.isArray(page) || items.length < 200) break;
    offset += items.length;
  }
  const idle = idleServers(users, options.idleTimeoutSeconds, options.now);
  for (const s of idle) {
    const route = s.server === "" ? `/users/${encodeURIComponent(s.user)}/server` : `/users/${encodeURIComponent(s.user)}/servers/${encodeURIComponent(s.server)}`;
    const res = await hubApi(options.apiUrl, options.token, route, "DELETE");
    if (!res.ok && res.status !== 404) throw new Error(`DELETE ${route} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
  }
  return idle;
}

/**
 * The culler service's loop: {@link cullOnce} every `everySeconds`, logging each stop; errors are logged and
 * retried at the next pass. Runs until the process is stopped (the hub stops its managed services).
 * @param options.apiUrl, options.token as for {@link cullOnce}
 * @param options.idleTimeoutSeconds threshold (seconds)
 * @param options.everySeconds pause between passes (seconds, ≥ 1)
 * @param options.log where messages go (default console.log)
 * @returns never resolves while the process runs
 * @throws {RangeError} for a bad period
 * @example await runCuller({ apiUrl, token, idleTimeoutSeconds: 3600, everySeconds: 60 });
 */
export async function runCuller(options: { apiUrl: string; token: string; idleTimeoutSeconds: number; everySeconds: number; log?: (s: string) => void }): Promise<never> {
  if (!Number.isFinite(options.everySeconds) || options.everySeconds < 1) throw new RangeError(`everySeconds must be ≥ 1, got ${show(options.everySeconds)}`);
  const log = options.log ?? ((s: string) => console.log(s));
  log(`ep-lab idle culler: stopping servers idle for ${options.idleTimeoutSeconds} s, checking every ${options.everySeconds} s`);
  for (;;) {
    try {
      const stopped = await cullOnce({ apiUrl: options.apiUrl, token: options.token, idleTimeoutSeconds: options.idleTimeoutSeconds });
      for (const s of stopped) log(`stopped ${s.user}'s server${s.server ? ` ${s.server}` : ""} (idle ${s.idleSeconds} s)`);
    } catch (e) {
      log(`cull pass failed: ${(e as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, options.everySeconds * 1000));
  }
}
