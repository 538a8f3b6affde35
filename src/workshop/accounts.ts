/**
 * System accounts for a workshop: one Linux account per learner (and one for the instructor), each with
 * a generated password, a private home folder (mode 0700) and membership of the {@link WORKSHOP_GROUP}
 * group, which marks the accounts this kit created (and may therefore reset or remove).
 *
 * Account changes need root and use Debian's own tools (`groupadd`, `useradd`, `chpasswd`, `userdel`).
 * Every change is planned first ({@link planAccounts}) so that a roster naming an account this kit did
 * not create is refused before anything is touched.
 */
import { spawnSync } from "child_process";
import { randomInt } from "crypto";
import * as fs from "fs";
import { show } from "../util/validate";
import { processesOfUids, killPid } from "./procs";
import { accountNameProblem } from "./roster";

/** The group every workshop account belongs to (created on first use as a system group). */
export const WORKSHOP_GROUP = "eplab-learners";
/** Characters of generated passwords: no look-alikes (0/O, 1/l/I). */
const PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/** Length of generated passwords (characters; ≈ 93 bits). */
export const PASSWORD_LENGTH = 16;

/** A Linux account as `getent passwd` reports it. */
export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/**
 * Whether this process runs as root (needed for accounts and for a multi-learner hub). Never throws.
 * @returns true for uid 0
 * @example if (!isRoot()) console.error("run as root");
 */
export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/**
 * Look an account up in the system's user database (`getent passwd`).
 * @param name account name
 * @returns the account, or undefined when there is none
 * @throws {TypeError} when `name` is not a string
 * @example lookupAccount("root")?.uid; // 0
 */
export function lookupAccount(name: string): Account | undefined {
  if (typeof name !== "string") throw new TypeError(`name must be a string, got ${show(name)}`);
  const r = spawnSync("getent", ["passwd", name], { encoding: "utf8" });
  if (r.status !== 0 || !r.stdout) return undefined;
  const f = r.stdout.trim().split(":");
  if (f.length < 7 || f[0] !== name) return undefined;
  return { name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5], shell: f[6] };
}

/**
 * Members of a group (`getent group`; supplementary members only).
 * @param group group name
 * @returns member names; `[]` when the group does not exist
 * @throws {TypeError} when `group` is not a string
 * @example groupMembers("eplab-learners"); // ["alice", "bob"]
 */
export function groupMembers(group: string): string[] {
  if (typeof group !== "string") throw new TypeError(`group must be a string, got ${show(group)}`);
  const r = spawnSync("getent", ["group", group], { encoding: "utf8" });
  if (r.status !== 0 || !r.stdout) return [];
  const members = r.stdout.trim().split(":")[3] ?? "";
  return members === "" ? [] : members.split(",");
}

/**
 * A new random password of {@link PASSWORD_LENGTH} characters from an alphabet without look-alikes. Never throws.
 * @returns the password
 * @example generatePassword().length; // 16
 */
export function generatePassword(): string {
  let s = "";
  for (let i = 0; i < PASSWORD_LENGTH; i++) s += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return s;
}

/** What {@link planAccounts} decided for each name. */
export interface AccountPlan {
  /** Accounts to create. */
  create: string[];
  /** Accounts that exist and belong to {@link WORKSHOP_GROUP}: kept (their password is reset only when unknown). */
  reuse: string[];
}

/**
 * Decide, without changing anything, which accounts to create and which workshop accounts to reuse.
 * @param names account names (each a valid account name; see `accountNameProblem`)
 * @returns the plan
 * @throws {TypeError} when `names` is not an array of strings; {RangeError} listing every name that is invalid or
 *   that exists already but was not created by this kit (so it is never taken over), and duplicates
 * @example planAccounts(["eplabtest-a"]); // { create: ["eplabtest-a"], reuse: [] } on a fresh machine
 */
export function planAccounts(names: readonly string[]): AccountPlan {
  if (!Array.isArray(names) || names.some((n) => typeof n !== "string")) throw new TypeError(`names must be an array of strings, got ${show(names)}`);
  const members = new Set(groupMembers(WORKSHOP_GROUP));
  const problems: string[] = [];
  const plan: AccountPlan = { create: [], reuse: [] };
  const seen = new Set<string>();
  for (const name of names) {
    const bad = accountNameProblem(name);
    if (bad) problems.push(`${JSON.stringify(name)} ${bad}`);
    else if (seen.has(name)) problems.push(`${JSON.stringify(name)} is listed twice`);
    else if (lookupAccount(name)) {
      if (members.has(name)) plan.reuse.push(name);
      else problems.push(`account ${JSON.stringify(name)} already exists and was not created by ep-lab workshop (not in group ${WORKSHOP_GROUP}); pick another name`);
    } else plan.create.push(name);
    seen.add(name);
  }
  if (problems.length > 0) throw new RangeError(`cannot use these accounts:\n  - ${problems.join("\n  - ")}`);
  return plan;
}

/** The account tools lock /etc/passwd and friends; another tool holding the lock makes them fail at once. */
const LOCK_BUSY = /cannot lock|cannot remove entry|unable to lock|try again later|cannot open \/etc\/(passwd|shadow|group)/i;

function run(cmd: string, args: string[], input?: string): void {
  for (let attempt = 1; ; attempt++) {
    const r = spawnSync(cmd, args, { input, encoding: "utf8" });
    if (r.error) throw new Error(`${cmd} could not run: ${r.error.message}`);
    if (r.status === 0) return;
    const text = (r.stderr || r.stdout).trim();
    if (attempt >= 10 || !LOCK_BUSY.test(text)) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status}): ${text}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200 * attempt); // the lock is usually free again within a second
  }
}

function requireRoot(what: string): void {
  if (!isRoot()) throw new Error(`${what} needs root (run the command with sudo)`);
}

/**
 * Create the workshop group when missing (a system group). Needs root.
 * @throws {Error} when not root or `groupadd` fails
 * @example ensureWorkshopGroup();
 */
export function ensureWorkshopGroup(): void {
  requireRoot("creating the workshop group");
  const r = spawnSync("getent", ["group", WORKSHOP_GROUP]);
  if (r.status === 0) return;
  run("groupadd", ["--system", WORKSHOP_GROUP]);
}

/**
 * Create a learner account: home folder mode 0700, login shell /bin/bash, member of {@link WORKSHOP_GROUP},
 * password set. Needs root.
 * @param name a valid account name that does not exist yet
 * @param password the password (printable, no newline)
 * @returns the new account
 * @throws {RangeError} for an invalid name or password; {Error} when not root, the account exists, or a tool fails
 * @example createAccount("eplabtest-a", generatePassword());
 */
export function createAccount(name: string, password: string): Account {
  requireRoot("creating accounts");
  const bad = accountNameProblem(name);
  if (bad) throw new RangeError(`name ${JSON.stringify(name)} ${bad}`);
  assertPassword(password);
  if (lookupAccount(name)) throw new Error(`account ${name} already exists`);
  ensureWorkshopGroup();
  run("useradd", ["--create-home", "--shell", "/bin/bash", "--user-group", "--groups", WORKSHOP_GROUP, "--comment", "ep-lab workshop", name]);
  const account = lookupAccount(name);
  if (!account) throw new Error(`useradd reported success but ${name} is not in the user database`);
  fs.chmodSync(account.home, 0o700);
  setPassword(name, password);
  return account;
}

/**
 * Set a workshop account's password (`chpasswd`). Needs root.
 * @param name an existing member of {@link WORKSHOP_GROUP}
 * @param password the new password (≥ 8 printable ASCII characters, no spaces, newlines or ':')
 * @throws {RangeError} for an empty or multi-line password, or an account outside the workshop group; {Error} when not root
 * @example setPassword("eplabtest-a", generatePassword());
 */
export function setPassword(name: string, password: string): void {
  requireRoot("setting passwords");
  assertPassword(password);
  if (!groupMembers(WORKSHOP_GROUP).includes(name)) throw new RangeError(`account ${JSON.stringify(name)} is not a workshop account (group ${WORKSHOP_GROUP})`);
  run("chpasswd", [], `${name}:${password}\n`);
}

/**
 * Remove a workshop account and its home folder (`userdel --remove`), ending its processes first (by PID).
 * Refuses accounts outside {@link WORKSHOP_GROUP}. Needs root.
 * @param name the account
 * @returns true when an account was removed, false when there was none
 * @throws {RangeError} for an account this kit did not create; {Error} when not root or userdel fails
 * @example removeAccount("eplabtest-a");
 */
export function removeAccount(name: string): boolean {
  requireRoot("removing accounts");
  const account = lookupAccount(name);
  if (!account) return false;
  if (!groupMembers(WORKSHOP_GROUP).includes(name)) throw new RangeError(`refusing to remove ${JSON.stringify(name)}: not a workshop account (group ${WORKSHOP_GROUP})`);
  for (const pid of processesOfUids([account.uid])) killPid(pid, "SIGKILL");
  run("userdel", ["--remove", name]);
  return true;
}

function assertPassword(password: unknown): asserts password is string {
  if (typeof password !== "string" || password.length < 8 || /[\r\n:]/.test(password) || !/^[\x21-\x7e]+$/.test(password)) {
    throw new RangeError(`password must be at least 8 printable ASCII characters without spaces, newlines or ':', got ${typeof password === "string" ? `${password.length} characters` : show(password)}`);
  }
}

