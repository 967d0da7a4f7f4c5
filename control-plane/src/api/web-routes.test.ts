import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiRig } from '../../test-support/api-test-app.js';
import { WEB_ROOT } from './web-routes.js';

// The ops page's files: served without a token, each library the import map names found in
// node_modules, and nothing else under /vendor.

t.test('/ is the page; its import map names only modules central serves, as JavaScript', async (t) => {
  const { app } = await apiRig(t);
  const index = await app.inject({ method: 'GET', url: '/' });
  t.equal(index.statusCode, 200);
  t.match(index.headers['content-type'], /^text\/html/);
  t.equal(index.headers['cache-control'], 'no-cache');
  const map = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(index.body)![1]!) as { imports: Record<string, string> };
  t.same(Object.keys(map.imports).sort(), ['erlang-c', 'htm', 'preact', 'preact/hooks', 'uplot']);
  for (const [name, url] of Object.entries(map.imports)) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 200, `${name} at ${url}`);
    t.match(res.headers['content-type'], /javascript/, `${name} is served as JavaScript (browsers refuse a module otherwise)`);
    t.match(res.body, /export\s*\{|export function|export default/, `${name} is an ES module`);
  }
  const css = await app.inject({ method: 'GET', url: '/vendor/uplot.css' });
  t.equal(css.statusCode, 200);
  t.match(css.headers['content-type'], /^text\/css/);
});

t.test("every file of the page is served under /web/ without a token; the API still wants one", async (t) => {
  const { app } = await apiRig(t);
  const files = readdirSync(WEB_ROOT, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(WEB_ROOT.length));
  t.ok(files.includes('app.js') && files.includes('views/box.js'), `found the page's modules: ${files.join(', ')}`);
  for (const file of files) {
    const res = await app.inject({ method: 'GET', url: `/web/${file}` });
    t.equal(res.statusCode, 200, file);
  }
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/boxes' })).statusCode, 401, 'data needs the token');
});

t.test('/vendor serves only its named files', async (t) => {
  const { app } = await apiRig(t);
  for (const name of ['constructor', '__proto__', 'preact.mjs', '..%2Fpackage.json', 'nothing.js']) {
    const res = await app.inject({ method: 'GET', url: `/vendor/${name}` });
    t.equal(res.statusCode, 404, name);
    t.equal(res.json().error, 'not-found');
  }
  t.equal((await app.inject({ method: 'GET', url: '/web/../package.json' })).statusCode, 404, 'nothing outside the page folder');
});
