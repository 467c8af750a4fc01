/**
 * The audit chain's key. With MEMOPS_AUDIT_KEY set each entry's hash is an HMAC-SHA256 under it, so a
 * database writer without the key cannot edit a row and re-chain the ones after it. The hash names
 * the key by a short fingerprint ("hmac-sha256:1a2b3c4d:…"), so a rotated key still verifies the
 * entries written under it (MEMOPS_AUDIT_PREVIOUS_KEYS) while new ones use the new key.
 */
import { createHash, createHmac } from "node:crypto";

export interface AuditKey {
  /** a fingerprint of the key, never the key */
  id: string;
  secret: string;
}

export interface AuditKeyring {
  /** the key new entries are chained with; null: plain SHA-256 (a database writer can re-chain) */
  current: AuditKey | null;
  /** every key that verifies, by fingerprint: the current one and those rotated out */
  byId: ReadonlyMap<string, AuditKey>;
}

export const MIN_KEY_LENGTH = 32;
const KEYED = /^hmac-sha256:([0-9a-f]{8}):([0-9a-f]{64})$/;

export const auditKey = (secret: string): AuditKey => ({
  id: createHash("sha256").update(`memops-audit-key:${secret}`).digest("hex").slice(0, 8),
  secret,
});

export function keyring(current: string | undefined, previous: readonly string[] = []): AuditKeyring {
  const keys = [...(current ? [current] : []), ...previous].map(auditKey);
  return { current: keys[0] && current ? keys[0] : null, byId: new Map(keys.map((k) => [k.id, k])) };
}

export const NO_KEYS: AuditKeyring = { current: null, byId: new Map() };

/** The hash of an entry's canonical text: keyed when a key is given. */
export function digest(text: string, key: AuditKey | null): string {
  if (!key) return createHash("sha256").update(text).digest("hex");
  return `hmac-sha256:${key.id}:${createHmac("sha256", key.secret).update(text).digest("hex")}`;
}

/** The key a stored hash names: null for an unkeyed hash, "unknown" for a fingerprint not in the ring. */
export function keyOf(hash: string, ring: AuditKeyring): AuditKey | null | "unknown" {
  const m = KEYED.exec(hash);
  if (!m) return null;
  return ring.byId.get(m[1]!) ?? "unknown";
}

export const isKeyed = (hash: string): boolean => KEYED.test(hash);
