// The web edition in a real browser (Debian's chromium through puppeteer-core; nothing is
// downloaded): each page is opened, axe-core is run in it, a note call is clicked and a
// search is made, screenshots are written. Prints one JSON report on stdout.
// Usage: node tools/ace/web-check.js SITE_URL PAGES ARTEFACTS [SEARCH_WORD]
//   SITE_URL: file:///.../slug-web/ or http://127.0.0.1:PORT/ ; PAGES: comma-separated names
"use strict";
const fs = require("fs");
const path = require("path");
const puppeteer = require("puppeteer-core");
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

async function main() {
  const [site, pageList, artefacts, word] = process.argv.slice(2);
  const pages = pageList.split(",").filter(Boolean);
  fs.mkdirSync(artefacts, { recursive: true });
  const browser = await puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"],
  });
  const report = { pages: {}, outside: [], consoleErrors: [], note: null, search: null };
  const sameSite = (url) => url.startsWith(site) || url.startsWith("data:") || url.startsWith("about:");
  try {
    for (const name of pages) {
      const page = await browser.newPage();
      await page.setRequestInterception(true);
      page.on("request", (request) => {
        if (!sameSite(request.url())) {
          report.outside.push({ page: name, url: request.url() });
          request.abort();
        } else request.continue();
      });
      let checking = false; // axe reads the style sheets itself: its own requests are not the page's
      page.on("console", (message) => {
        if (message.type() === "error" && !checking) report.consoleErrors.push({ page: name, text: message.text() });
      });
      page.on("pageerror", (error) => report.consoleErrors.push({ page: name, text: String(error) }));
      const entry = { axe: [], fonts: [], width375: 0 };
      for (const width of [1280, 375]) {
        await page.setViewport({ width, height: 900 });
        await page.goto(site + name, { waitUntil: "load" });
        await page.evaluate(() => document.fonts.ready);
        const shot = path.join(artefacts, `${name.replace(/\.html$/, "")}-${width}.png`);
        await page.screenshot({ path: shot, fullPage: false });
        if (width === 375) entry.width375 = await page.evaluate(() => document.documentElement.scrollWidth);
      }
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(site + name, { waitUntil: "load" });
      checking = true;
      await page.evaluate(axeSource);
      const result = await page.evaluate(async () => {
        const found = await window.axe.run(document, { resultTypes: ["violations"] });
        return found.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
        }));
      });
      entry.axe = result;
      checking = false;
      entry.fonts = await page.evaluate(() =>
        Array.from(document.fonts).filter((f) => f.status === "loaded").map((f) => `${f.family} ${f.style} ${f.weight}`),
      );
      if (!report.note && (await page.$("a.noteref"))) {
        const call = await page.$("a.noteref");
        const href = await call.evaluate((a) => a.getAttribute("href"));
        await call.focus();
        await page.keyboard.press("Enter");
        const shown = await page.evaluate(() => {
          const box = document.querySelector(".note-popup");
          return box ? { text: box.textContent, focused: box.contains(document.activeElement) } : null;
        });
        await page.screenshot({ path: path.join(artefacts, `note-open-${name.replace(/\.html$/, "")}.png`) });
        await page.keyboard.press("Escape");
        const closed = await page.evaluate(() => ({
          gone: !document.querySelector(".note-popup"),
          back: document.activeElement && document.activeElement.classList.contains("noteref"),
        }));
        const noteText = await page.evaluate(
          (id) => document.getElementById(id).textContent,
          decodeURIComponent(href.slice(1)),
        );
        report.note = { page: name, href, shown, closed, noteText };
      }
      report.pages[name] = entry;
      await page.close();
    }
    if (word) {
      const page = await browser.newPage();
      page.on("pageerror", (error) => report.consoleErrors.push({ page: "search", text: String(error) }));
      await page.goto(site + "search.html?q=" + encodeURIComponent(word), { waitUntil: "load" });
      report.search = await page.evaluate(() => ({
        status: document.getElementById("search-status").textContent,
        results: Array.from(document.querySelectorAll("#search-results li")).map((li) => ({
          kind: li.querySelector(".kind").textContent,
          href: li.querySelector("a").getAttribute("href"),
          text: li.textContent,
        })),
      }));
      await page.screenshot({ path: path.join(artefacts, "search-1280.png") });
      await page.close();
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(report));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(3);
});
