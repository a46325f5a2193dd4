// The built site (target/site, served by docs/run-tests.sh at $SITE_URL) in Debian's headless Chromium,
// driven by playwright-core: the navigation reaches every section, search finds pages, and the RPC
// reference lists all seven services and Recall with their methods.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const site = process.env.SITE_URL ?? "http://127.0.0.1:8765/";
let browser;
let page;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
});

test("the navigation leads from the home page to every section", async () => {
  await page.goto(site);
  assert.match(await page.title(), /memsidecar/);
  for (const [link, heading] of [["Quick start", "Quick start"], ["Concepts", "Concepts"], ["Failure behaviour", "Failure behaviour"],
    ["Helm chart", "memsidecar Helm chart"], ["RPC reference", "RPC reference"]]) {
    await page.goto(site);
    await page.locator("nav.md-nav--primary").getByRole("link", { name: link, exact: true }).first().click();
    await page.waitForLoadState("domcontentloaded");
    assert.equal((await page.locator("article h1").first().innerText()).replace(/¶$/, "").trim(), heading, `after ${link}`);
  }
});

test("search finds the pages that talk about a word", async () => {
  await page.goto(site);
  const input = page.locator("input.md-search__input");
  await input.click();
  await input.fill("fencing");
  const results = page.locator(".md-search-result__item");
  await results.first().waitFor({ timeout: 15000 });
  const text = (await results.allInnerTexts()).join("\n");
  assert.match(text, /lease/i);
});

test("the RPC reference lists all seven services, Recall, and their methods", async () => {
  await page.goto(new URL("reference/rpc/", site).href);
  const services = (await page.locator("article h2").allInnerTexts()).map((s) => s.replace(/¶$/, "").split(" ")[0].trim());
  assert.deepEqual(services.sort(), ["Admin", "Artifact", "Episodic", "Graph", "KV", "Lease", "Recall", "Semantic"]);
  const body = await page.locator("article").innerText();
  for (const route of ["POST /memsidecar.kv.v1.KV/Put", "POST /memsidecar.episodic.v1.Episodic/Tail",
    "POST /memsidecar.lease.v1.Lease/Acquire", "POST /memsidecar.admin.v1.Admin/ListNamespaces",
    "POST /memsidecar.recall.v1.Recall/Recall"]) {
    assert.ok(body.includes(route), route);
  }
  assert.ok(body.includes("fencing_token"), "message fields are listed");
});
