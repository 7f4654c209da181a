/**
 * One headless Chromium (Debian's /usr/bin/chromium, or $CHROMIUM; never a downloaded browser) driven by
 * playwright-core, for the explorer pages: every request other than the page file itself is aborted and
 * recorded, and console errors, page errors and Content-Security-Policy violations are collected, so a
 * test can require that there are none.
 */
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { CHROMIUM } from './chromium.ts'

export const BROWSER_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM}: not found; install it (apt-get install -y chromium) or set $CHROMIUM`)
  return chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS })
}

export interface Opened { page: Page; problems: string[]; requests: string[] }

/** Opens an HTML file from file:// and waits until its script has set body[data-ready] and every view has drawn. */
export async function open(browser: Browser, file: string, hash = '', viewport = { width: 1200, height: 900 }): Promise<Opened> {
  const url = pathToFileURL(file).href
  const page = await browser.newPage({ viewport })
  const problems: string[] = [], requests: string[] = []
  await page.route('**/*', (route) => {
    const u = route.request().url()
    if (u.split('#')[0] === url) return route.continue()
    requests.push(u)
    return route.abort()
  })
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`) })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))
  })
  await page.goto(url + hash)
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 }).catch(() => undefined)
  // the gradient views draw just after the others
  await page.evaluate(() => (window as any).rnn?.settled())
  return { page, problems, requests }
}
