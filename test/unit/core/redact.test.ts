import { describe, expect, it } from "vitest";
import { grepLines, MEMORY_LOG_PATTERN } from "../../../src/core/log-match.ts";
import { redactSecrets } from "../../../src/core/redact.ts";

const PEM_BODY = [
  "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
  "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
  "NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ",
];

/** [the text, the secret that must not survive] — the forms a log line or a config dump carries them in */
const FORMS: [string, string][] = [
  ["password=hunter2 user=bob", "hunter2"],
  ["DB_PASSWORD=hunter2", "hunter2"],
  ["MYSQL_ROOT_PASSWORD: s3cr3tRoot", "s3cr3tRoot"],
  ["AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
  ["aws_secret_access_key = wJalrXUtnFEMI/K7MDENG", "wJalrXUtnFEMI/K7MDENG"],
  ["GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"],
  ["token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz used", "github_pat_11ABCDEFG0123456789_abcdefghij"],
  ['{"token": "abc123def"}', "abc123def"],
  ['{"apiKey":"k-0123456789abcdef"}', "k-0123456789abcdef"],
  ["api_key: 0123456789abcdef0123", "0123456789abcdef0123"],
  ["X-Api-Key: 9f8e7d6c5b4a39281706", "9f8e7d6c5b4a39281706"],
  ["client_secret=xyz987&x=1", "xyz987"],
  ['password="correct horse battery"', "horse battery"],
  ["password='correct horse battery'", "horse battery"],
  ["passwd: tr0ub4dor", "tr0ub4dor"],
  ["secret=shhh-very-secret-value", "shhh-very-secret-value"],
  ["credentials: user1:pa55word", "pa55word"],
  ["Authorization: Bearer eyJhbGciOi.xyzxyzxyz", "xyzxyzxyz"],
  ["authorization: basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="],
  ["Proxy-Authorization: Token 0123456789abcdef", "0123456789abcdef"],
  ["postgres://app:s3cret@db:5432/shop", "s3cret"],
  ["postgres://app:p@ssw0rd@db:5432/shop", "ssw0rd"],
  ["mysql://root:pa/ss@mysql:3306/app", "pa/ss"],
  ["redis://:redispass@cache:6379/0", "redispass"],
  ["amqp://guest:guestpw@rabbit//", "guestpw"],
  ["slack xoxb-1234-5678-abcdefABCDEF done", "xoxb-1234-5678-abcdefABCDEF"],
  ["user token xoxp-1111-2222-3333-abcdef", "xoxp-1111-2222-3333-abcdef"],
  ["refresh xoxe-1-My0xLTE2MzQ1Njc4OTAtMTIz", "xoxe-1-My0xLTE2MzQ1Njc4OTAtMTIz"],
  ["rotating xoxe.xoxp-1-Mi0yLTEyMzQ1Njc4OTAtMTIz", "xoxe.xoxp-1-Mi0yLTEyMzQ1Njc4OTAtMTIz"],
  ["socket xapp-1-A0123-4567-abcdef", "xapp-1-A0123-4567-abcdef"],
  [
    "posting to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "XXXXXXXXXXXXXXXXXXXXXXXX",
  ],
  ["key AKIAIOSFODNN7EXAMPLE used", "AKIAIOSFODNN7EXAMPLE"],
  ["google AIzaSyA-0123456789abcdefghijklmnopqrstu", "AIzaSyA-0123456789abcdefghijklmnopqrstu"],
  ["gitlab glpat-abcdefghijklmnopqrst12", "glpat-abcdefghijklmnopqrst12"],
  ["stripe sk_live_0123456789abcdefABCD", "sk_live_0123456789abcdefABCD"],
  ["API_KEY: sk-abcdefghijklmnopqrstuv", "sk-abcdefghijklmnopqrstuv"],
  ["npm npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm_abcdefghijklmnopqrstuvwxyz0123456789"],
  ["jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", "c2lnbmF0dXJl"],
  [`-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY.join("\n")}\n-----END RSA PRIVATE KEY-----`, PEM_BODY[1]!],
  [`-----BEGIN PRIVATE KEY-----\n${PEM_BODY.join("\n")}`, PEM_BODY[2]!],
  [`-----BEGIN OPENSSH PRIVATE KEY-----\n${PEM_BODY[0]}\n-----END OPENSSH PRIVATE KEY-----`, PEM_BODY[0]!],
  [
    `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${PEM_BODY.join("\n")}\n=twTO\n-----END PGP PRIVATE KEY BLOCK-----`,
    PEM_BODY[1]!,
  ],
  [`heap dump follows\n${PEM_BODY[1]}\n${PEM_BODY[2]}`, PEM_BODY[2]!],
  ["DefaultEndpointsProtocol=https;AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5;EndpointSuffix=x", "Zm9vYmFyYmF6cXV4"],
  ["session_key=7f3a9c2e5b1d", "7f3a9c2e5b1d"],
];

describe("redactSecrets", () => {
  it(`removes the secret from each of ${FORMS.length} common forms`, () => {
    expect(FORMS.length).toBeGreaterThanOrEqual(40);
    const leaks = FORMS.filter(([text, secret]) => redactSecrets(text).includes(secret)).map(([t]) => t);
    expect(leaks).toEqual([]);
  });

  it.each([
    ["password=hunter2 user=bob", "password=[REDACTED] user=bob"],
    ["DB_PASSWORD=hunter2 next", "DB_PASSWORD=[REDACTED] next"],
    ['{"token": "abc123def"}', '{"token": "[REDACTED]"}'],
    ['password="correct horse battery" ok', 'password="[REDACTED]" ok'],
    ["postgres://app:p@ssw0rd@db:5432/shop", "postgres://app:[REDACTED]@db:5432/shop"],
    ["redis://:pass@cache:6379", "redis://:[REDACTED]@cache:6379"],
    ["client_secret=xyz&x=1", "client_secret=[REDACTED]&x=1"],
  ])("keeps the shape around the secret: %s", (line, expected) => expect(redactSecrets(line)).toBe(expected));

  it.each([
    "WARN GC overhead: 48% of time in gc, heap 498MB/512MB",
    "java.lang.OutOfMemoryError: Java heap space",
    "Killed process 4242 (node) total-vm:1234567kB, anon-rss:524288kB",
    "GET https://api.example.com:8443/v1/items 200 12ms",
    "fatal error: runtime: out of memory (allocating 268435456 bytes)",
  ])("leaves ordinary memory lines alone: %s", (line) => expect(redactSecrets(line)).toBe(line));

  it("redacts before truncating: a long line cut at 297 characters keeps no prefix of its key", () => {
    const secret = "Zx9".repeat(40);
    const line = `${"heap ".repeat(55)}password=${secret}`;
    const [kept] = grepLines(redactSecrets(line), MEMORY_LOG_PATTERN, 5).lines;
    expect(kept).not.toContain("Zx9");
  });
});

describe("memory log lines", () => {
  it("keeps the last matching lines and counts all matches", () => {
    const text = [
      "INFO started",
      "WARN heap 90%",
      "ERROR java.lang.OutOfMemoryError: Java heap space",
      "INFO request ok",
      "fatal error: runtime: out of memory",
      "Killed process 42 (node)",
    ].join("\n");
    expect(grepLines(text, MEMORY_LOG_PATTERN, 2)).toEqual({
      lines: ["fatal error: runtime: out of memory", "Killed process 42 (node)"],
      matched: 4,
    });
  });
});

describe("redaction runs in linear time on text an attacker writes to a log", () => {
  // Each of these took minutes to hours with an unbounded `[…]*` before a literal; now a fraction of a second.
  it.each([
    ["a megabyte of name characters", "x".repeat(1 << 20)],
    ["a megabyte of URL-like fragments", "a://b:".repeat(1 << 17)],
    ["a megabyte of key words", "password".repeat(1 << 17)],
    ["a megabyte of BEGIN lines", "-----BEGIN ".repeat(1 << 16)],
    ["a megabyte of spaces after a key", `password${" ".repeat(1 << 20)}`],
  ])(
    "%s",
    (_, text) => {
      expect(typeof redactSecrets(text)).toBe("string");
    },
    10_000,
  );
});
