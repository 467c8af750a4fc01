import { afterEach, describe, expect, it } from "vitest";
import { ALICE, CHANNEL, type Harness, startHarness } from "../support/app-harness.ts";
import { messageText } from "../support/message-text.ts";
import { NOW, SHOP, shopCluster, shopEvents, shopMetrics } from "../support/shop-scenario.ts";

/** A small seeded PRNG (mulberry32): every run of this property test is reproducible from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const chars = (alphabet: string, n: number) => Array.from({ length: n }, () => pick([...alphabet])).join("");
  return { next, pick, chars };
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64 = `${ALNUM}+/`;

type Rand = ReturnType<typeof prng>;
/** Each form: the text carrying a secret, and the secret, random every time. */
const FORMS: ((r: Rand) => { text: string; secret: string })[] = [
  (r) => ((s) => ({ text: `password=${s}`, secret: s }))(r.chars(ALNUM, 14)),
  (r) => ((s) => ({ text: `DB_PASSWORD=${s}`, secret: s }))(r.chars(ALNUM, 16)),
  (r) => ((s) => ({ text: `{"token": "${s}"}`, secret: s }))(r.chars(ALNUM, 18)),
  (r) => ((s) => ({ text: `api_key: ${s}`, secret: s }))(r.chars(ALNUM, 20)),
  (r) => ((s) => ({ text: `connecting to postgres://app:${s}@db:5432/shop`, secret: s }))(r.chars(ALNUM, 12)),
  (r) => ((s) => ({ text: `cache redis://:${s}@cache:6379/0`, secret: s }))(r.chars(ALNUM, 12)),
  (r) =>
    ((s) => ({ text: `slack ${s} rejected`, secret: s }))(`xoxb-${r.chars("0123456789", 10)}-${r.chars(ALNUM, 24)}`),
  (r) => ((s) => ({ text: `aws ${s}`, secret: s }))(`AKIA${r.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`),
  (r) => ((s) => ({ text: `git ${s}`, secret: s }))(`ghp_${r.chars(ALNUM, 36)}`),
  (r) => ((s) => ({ text: `Authorization: Bearer ${s}`, secret: s }))(r.chars(ALNUM, 32)),
  (r) => ((s) => ({ text: `AWS_SECRET_ACCESS_KEY=${s}`, secret: s }))(r.chars(B64, 40)),
  (r) => ((w) => ({ text: `password="${w.join(" ")}"`, secret: w[2]! }))([1, 2, 3].map(() => r.chars(ALNUM, 9))),
];

/** A log of memory lines carrying secrets, a PEM key whose body lines would match the memory pattern, noise. */
function secretLog(r: Rand, n: number) {
  const secrets: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const { text, secret } = r.pick(FORMS)(r);
    secrets.push(secret);
    const ts = `2026-11-21T07:${String(10 + i).padStart(2, "0")}:00Z`;
    lines.push(`${ts} INFO request ${r.chars(ALNUM, 6)} ok`);
    lines.push(`${ts} WARN heap ${Math.floor(r.next() * 100)}% ${"x".repeat(Math.floor(r.next() * 300))} ${text}`);
  }
  const body = [1, 2, 3].map(() => `${r.chars(B64, 20)}+heap+${r.chars(B64, 38)}`);
  secrets.push(...body);
  lines.push("2026-11-21T07:59:00Z WARN heap dump config follows", "-----BEGIN PRIVATE KEY-----", ...body);
  lines.push("-----END PRIVATE KEY-----", "2026-11-21T07:59:03Z ERROR java.lang.OutOfMemoryError: Java heap space");
  return { text: lines.join("\n"), secrets };
}

describe("secrets in the cluster never reach Slack, the audit log or memops's logs (property)", () => {
  let h: Harness | undefined;
  afterEach(async () => h?.stop());

  it.each([1, 2, 3, 4, 5, 6])("seed %i: random secrets in random log text and events", async (seed) => {
    const r = prng(seed);
    const log = secretLog(r, 12);
    const event = r.pick(FORMS)(r);
    const cluster = shopCluster();
    cluster.data.logs[`shop/${SHOP.killed}/api/previous`] = log.text;
    cluster.data.events = [
      ...shopEvents(),
      {
        namespace: "shop",
        reason: "OOMKilling",
        message: `Killed process 17 (java) ${event.text}`,
        type: "Warning",
        involvedKind: "Pod",
        involvedName: SHOP.killed,
        count: 1,
        lastSeen: NOW - 30,
      },
    ];
    h = await startHarness({ cluster, metrics: shopMetrics(), clock: { now: () => NOW } });
    await h.slack.slash({ user: ALICE, channel: CHANNEL, text: "diagnose deploy/api -n shop" });
    const ws = h.emulator.workspace;
    await ws.waitFor(
      () => ws.channelMessages(CHANNEL).find((m) => messageText(m).includes("Full report in the thread")),
      10_000,
    );
    await h.app.idle();
    const report = ws.messages.map(messageText).join("\n");
    expect(report).toContain("java.lang.OutOfMemoryError"); // the log was read and posted
    const everything = [
      JSON.stringify(ws.messages),
      JSON.stringify(ws.ephemerals),
      JSON.stringify([...ws.files.values()].map((f) => ({ ...f, bytes: f.bytes?.toString("latin1") ?? null }))),
      JSON.stringify(await h.store.auditEntries()),
      h.logs.join(""),
    ].join("\n");
    const leaked = [...log.secrets, event.secret].filter((s) => everything.includes(s));
    expect(leaked).toEqual([]);
  });
});
