import { err, ok, type Result } from "./result.ts";

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A DNS-1123 label: namespaces, container names. */
export function checkLabelName(what: string, name: string): Result<string> {
  if (name.length > 63) return err(`${what} "${name.slice(0, 70)}…" is longer than 63 characters`);
  if (!LABEL.test(name)) {
    return err(
      `${what} "${name}" is not valid: use lowercase letters, digits and '-', starting and ending with a letter or digit`,
    );
  }
  return ok(name);
}

/** A DNS-1123 subdomain: pods, deployments, statefulsets, daemonsets. */
export function checkObjectName(what: string, name: string): Result<string> {
  if (name.length > 253) return err(`${what} "${name.slice(0, 70)}…" is longer than 253 characters`);
  if (!SUBDOMAIN.test(name)) {
    return err(
      `${what} "${name}" is not valid: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
    );
  }
  return ok(name);
}

const KEY_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const VALUE = /^(([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?)$/;

function checkKey(key: string): string | undefined {
  const slash = key.indexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !SUBDOMAIN.test(prefix)))
    return `label key prefix "${prefix}" is not a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !KEY_NAME.test(name)) return `label key "${key}" is not valid`;
  return undefined;
}

function checkValue(value: string): string | undefined {
  return value.length > 63 || !VALUE.test(value) ? `label value "${value}" is not valid` : undefined;
}

/** A selector's requirements: split at commas that are not inside parentheses. */
export function requirements(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(current.trim());
      current = "";
    } else current += ch;
  }
  out.push(current.trim());
  return out;
}

/** Validates a label selector ("app=api,tier!=db,env in (prod,stage),!legacy") before it reaches the API. */
export function checkLabelSelector(selector: string): Result<string> {
  if (selector.trim() === "") return err("label selector is empty");
  for (const req of requirements(selector)) {
    const set = /^(!?)([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(req);
    const eq = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=()]*)$/.exec(req);
    const exists = /^(!?)([^\s!=()]+)$/.exec(req);
    let problem: string | undefined;
    if (set?.[2] && set[1] === "") {
      problem =
        checkKey(set[2]) ??
        (set[4] ?? "")
          .split(",")
          .map((v) => checkValue(v.trim()))
          .find(Boolean);
    } else if (eq?.[1]) {
      problem = checkKey(eq[1]) ?? checkValue(eq[3] ?? "");
    } else if (exists?.[2]) {
      problem = checkKey(exists[2]);
    } else {
      problem = `"${req}" is not a label selector requirement (examples: app=api, tier!=db, env in (prod,stage))`;
    }
    if (problem) return err(problem);
  }
  return ok(selector.trim());
}
