/**
 * The playground in a real browser: Chromium from Debian driven by playwright-core. A person types a
 * slash command, reads the threaded report with its sparkline and chart, asks for a remediation,
 * switches to the approver, approves, and sees the verification and the audit entry — through the
 * unchanged memops app, signed requests and the Slack emulator. Screenshots go to artifacts/playground/.
 */
import { existsSync, mkdirSync } from "node:fs";
import { pino } from "pino";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Playground, startPlayground } from "../../src/playground/playground.ts";
import { shippedRunbooks } from "../support/app-harness.ts";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const SHOTS = "artifacts/playground";
const missing = existsSync(CHROMIUM) ? null : `${CHROMIUM} not found (apt-get install chromium)`;
if (missing) {
  if (process.env["CI"])
    throw new Error(`browser tier cannot start: ${missing}. Under CI every tier must run (see .ci/run).`);
  process.stderr.write(`\n${"!".repeat(100)}\n!! SKIPPING THE BROWSER TIER: ${missing}\n${"!".repeat(100)}\n\n`);
}

describe.skipIf(missing !== null)("the playground in Chromium", () => {
  let pg: Playground;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
  /** the same moment at 1280×800 and at 1920×1080 */
  const shotBoth = async (name: string) => {
    await shot(`${name}-1280x800`);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await shot(`${name}-1920x1080`);
    await page.setViewportSize({ width: 1280, height: 800 });
  };
  const channel = () => page.locator("#messages");
  const thread = () => page.locator("#thread-messages");

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    pg = await startPlayground({
      host: "127.0.0.1",
      port: 0,
      runbooks: await shippedRunbooks(),
      log: pino({ level: "silent" }),
      verifyWindowSeconds: 3,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(pg.url);
  });
  afterAll(async () => {
    await browser?.close();
    await pg?.stop();
  });

  it("diagnose, ask for a restart, approve as someone else, see it verified and audited", async () => {
    await expect.poll(() => page.locator("#as").inputValue()).toBe("U0ALICE");
    // typed, not clicked: the message box is where the keyboard starts
    await page.locator("#composer").fill("/mem diagnose deploy/checkout -n demo");
    await page.keyboard.press("Enter");
    const parent = channel().locator("li.message", { hasText: "Full report in the thread" });
    await parent.waitFor({ timeout: 30_000 });
    await expect.poll(() => parent.innerText()).toMatch(/memory leak suspected in checkout-\w+-\w+\/app/);

    await parent.getByRole("button", { name: /\d+ replies/ }).click();
    await thread().locator("li.message", { hasText: "Trend and forecast" }).first().waitFor();
    const report = await thread().innerText();
    expect(report).toMatch(/[▁▂▃▄▅▆▇█]{6,}/); // the sparkline, as text
    expect(report).toMatch(/leak/);
    const chart = thread().locator("img[data-file]");
    await chart.waitFor();
    await expect
      .poll(() =>
        chart.evaluate((img: { complete: boolean; naturalWidth: number }) => (img.complete ? img.naturalWidth : 0)),
      )
      .toBe(1000);
    expect(await chart.getAttribute("alt")).toMatch(
      /^Line chart of the memory working set of deploy\/checkout -n demo.*: leak, limit in ~/,
    );
    await shot("1-report");

    await parent.getByRole("button", { name: "Rolling restart" }).click();
    const card = page.locator("li.message", { hasText: "Approval needed" }).first();
    await card.waitFor({ timeout: 20_000 });
    await shot("2-approval-requested");

    // the requester may not approve her own request: switch to the approver
    await page.locator("#as").selectOption("U0BOB");
    await card.getByRole("button", { name: "Approve" }).click();
    const dialog = page.locator("dialog#confirm");
    await expect.poll(() => dialog.evaluate((d: { open: boolean }) => d.open)).toBe(true);
    expect(await dialog.innerText()).toContain("Approve this change?");
    await dialog.getByRole("button", { name: "Approve" }).click();

    const verified = page
      .locator("li.message", { hasText: /Verified: Rolling restart of deploy\/checkout in demo/ })
      .first();
    await verified.waitFor({ timeout: 60_000 }).catch(async (e: unknown) => {
      await shot("x-failed");
      throw e;
    });
    expect(await verified.innerText()).toMatch(/rollout finished/);
    await shot("3-verified");

    await page.locator("#composer").fill("/mem audit");
    await page.keyboard.press("Enter");
    const audit = channel().locator("li.ephemeral", { hasText: "Audit log" });
    await audit.waitFor({ timeout: 20_000 });
    const entries = await audit.innerText();
    expect(entries).toMatch(/verif/i);
    expect(entries).toMatch(/approv/i);
    expect(await audit.innerText()).toContain("Only visible to you");
    await shot("4-audit");
  });

  it("a stale card is superseded, a refusal shows in the thread, and a re-diagnosis after the fix keeps the story", async () => {
    await page.goto(pg.url);
    await page.locator("#as").selectOption("U0ALICE");
    const send = async (text: string) => {
      await page.locator("#composer").fill(text);
      await page.keyboard.press("Enter");
    };
    await send("/mem diagnose deploy/search -n demo");
    const parent = channel().locator("li.message", { hasText: "deploy/search -n demo" }).filter({
      hasText: "Full report in the thread",
    });
    await parent.getByRole("button", { name: "Raise app limit to 640Mi" }).waitFor({ timeout: 30_000 });
    await send("/mem limit deploy/search -n demo 600Mi");
    await parent.getByRole("button", { name: /\d+ replies/ }).click();
    const older = thread().locator("li.message", { hasText: "from 512Mi to 600Mi" });
    await older.getByRole("button", { name: "Approve" }).waitFor({ timeout: 20_000 });
    expect(await older.innerText()).toContain("below memops's OOM floor");

    await parent.getByRole("button", { name: "Raise app limit to 640Mi" }).click();
    const newer = thread().locator("li.message", {
      hasText: "Approval needed: Raise the memory limit of app in deploy/search from 512Mi to 640Mi",
    });
    await newer.waitFor({ timeout: 20_000 });
    // the older card says what replaced it, and has no buttons left
    await expect.poll(() => older.innerText(), { timeout: 10_000 }).toContain("Superseded");
    expect(await older.getByRole("button", { name: "Approve" }).count()).toBe(0);
    await shotBoth("6-superseded");

    // alice approving her own request: the answer lands in the thread she clicked in
    await newer.getByRole("button", { name: "Approve" }).click();
    await page.locator("dialog#confirm").getByRole("button", { name: "Approve" }).click();
    const refusal = thread().locator("li.ephemeral", {
      hasText: "you asked for this change: another person must approve it",
    });
    await refusal.waitFor({ timeout: 10_000 });
    await shotBoth("7-refusal-in-thread");

    await page.locator("#as").selectOption("U0BOB");
    await newer.getByRole("button", { name: "Approve" }).click();
    await page.locator("dialog#confirm").getByRole("button", { name: "Approve" }).click();
    await thread()
      .locator("li.message", { hasText: /Verified: Raise the memory limit of app in deploy\/search/ })
      .waitFor({ timeout: 60_000 });

    await page.locator("#as").selectOption("U0ALICE");
    await send("/mem diagnose deploy/search -n demo");
    // the parent is rewritten with the new diagnosis, and the story is kept
    await expect
      .poll(() => parent.innerText(), { timeout: 30_000 })
      .toMatch(/was in an OOM-kill cycle \(\d+ kills\) until the limit was raised from 512Mi to 640Mi/);
    const text = await parent.innerText();
    expect(text).toContain("Last action: Raise the memory limit of app in deploy/search from 512Mi to 640Mi");
    expect(text).toContain("Trend: oom-cycle");
    expect(await parent.getByRole("button", { name: "Raise app limit to 640Mi" }).count()).toBe(0);
    await shotBoth("8-rediagnosed-after-fix");
  });

  for (const [width, height] of [
    [1280, 800],
    [1920, 1080],
  ] as const) {
    it(`at ${width}×${height}: the header and composer stay, the newest message is on screen, code fits`, async () => {
      const p = await browser.newPage({ viewport: { width, height } });
      try {
        await p.goto(pg.url);
        await p.locator("#messages li.message").first().waitFor();
        const before = await p.locator("#messages li.ephemeral").count();
        for (let i = 0; i < 30; i++) {
          await p.locator("#composer").fill("/mem runbooks");
          await p.keyboard.press("Enter");
        }
        await expect
          .poll(() => p.locator("#messages li.ephemeral").count(), { timeout: 30_000 })
          .toBeGreaterThanOrEqual(before + 30);
        const inView = async (selector: string) =>
          p
            .locator(selector)
            .last()
            .evaluate((el: { getBoundingClientRect(): { top: number; bottom: number } }) => {
              const r = el.getBoundingClientRect();
              const h = (globalThis as unknown as { innerHeight: number }).innerHeight;
              return r.top >= 0 && r.bottom <= h + 1;
            });
        await expect.poll(() => inView("#messages li.message")).toBe(true);
        expect(await inView("#composer")).toBe(true);
        expect(await inView(".channel-head")).toBe(true);
        // the page itself never scrolls: only the message lists do
        expect(
          await p.evaluate(() => {
            const d = (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document;
            return d.documentElement.scrollHeight <= (globalThis as unknown as { innerHeight: number }).innerHeight;
          }),
        ).toBe(true);
        // a report thread: a real share of the screen, and its tables readable without scrolling sideways
        await p
          .getByRole("button", { name: /\d+ replies/ })
          .first()
          .click();
        await p.locator("#thread-messages pre").first().waitFor();
        const share = await p
          .locator("#thread")
          .evaluate((el: { getBoundingClientRect(): { width: number } }) => el.getBoundingClientRect().width);
        expect(share / width).toBeGreaterThanOrEqual(0.4);
        const overflowing = await p
          .locator("#thread-messages pre, #messages pre")
          .evaluateAll(
            (els: { scrollWidth: number; clientWidth: number }[]) =>
              els.filter((e) => e.scrollWidth > e.clientWidth + 1).length,
          );
        expect(overflowing).toBe(0);
        expect(await inView("#composer")).toBe(true);
        await p.screenshot({ path: `${SHOTS}/layout-${width}x${height}.png` });
      } finally {
        await p.close();
      }
    });
  }

  it("Not a problem on a watch warning opens the form memops asks with; a reason too short is shown back, a good one closes it", async () => {
    await pg.app.watchFleet();
    const warning = channel().locator("li.message", { hasText: "sits at" }).first();
    await warning.waitFor({ timeout: 15_000 });
    await warning.getByRole("button", { name: "Not a problem" }).click();
    const modal = page.locator("#modal");
    await modal.waitFor({ state: "visible" });
    expect(await page.locator("#modal-title").innerText()).toBe("Not a problem");
    await modal.locator("textarea").fill("ok");
    await page.locator("#modal-submit").click();
    await expect
      .poll(() => modal.locator(".modal-error").first().innerText())
      .toBe("Say in a few words why it is not a problem.");
    await modal.locator("textarea").fill("a cache: full by design");
    await page.locator("#modal-submit").click();
    await modal.waitFor({ state: "hidden" });
    await shot("4-not-a-problem");
  });

  it("is usable with the keyboard: Tab reaches the message box, Enter opens a thread, Escape closes it", async () => {
    await page.goto(pg.url);
    await page.locator("#messages li.message").first().waitFor();
    await page.keyboard.press("Tab"); // the skip link comes first
    await page.keyboard.press("Enter");
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id,
      ),
    ).toBe("composer");
    const replies = page.getByRole("button", { name: /\d+ replies/ }).first();
    await replies.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#thread").isVisible()).toBe(true);
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator("#thread").isVisible()).toBe(false);
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document
            .activeElement?.textContent,
      ),
    ).toMatch(/\d+ replies/);
    await shot("5-keyboard");
  });
});
