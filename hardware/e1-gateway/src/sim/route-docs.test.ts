import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import t from 'tap';
import { NO_FIELDS, route } from './control-route.js';
import { ROUTES } from './control-routes.js';
import { DOCS_COMMAND, generatedSections, readSection, renderRouteTable, replaceSection } from './route-docs.js';

const README = new URL('../../README.md', import.meta.url);

t.test(`README.md's generated sections are what the schemas generate (else run ${DOCS_COMMAND})`, async (t) => {
  const readme = readFileSync(README, 'utf8');
  for (const { name, content } of generatedSections(ROUTES)) {
    t.equal(readSection(readme, name), content, `hardware/e1-gateway/README.md section "${name}" differs from the schemas: run \`${DOCS_COMMAND}\` and commit the README`);
  }
});

t.test('the route table: one row a route, fields with the same rule share a line, required ones marked', async (t) => {
  const routes = [
    route({ method: 'GET', path: '/things', description: 'Every thing.', params: NO_FIELDS, body: NO_FIELDS, response: Type.Array(Type.String(), { title: 'the things' }), handle: () => [] }),
    route({
      method: 'POST',
      path: '/things/<id>/paint',
      description: 'Paints a thing.',
      params: Type.Object({ id: Type.Integer({ minimum: 0, maximum: 9 }) }),
      body: Type.Object(
        {
          red: Type.Optional(Type.Boolean()),
          green: Type.Optional(Type.Boolean()),
          coats: Type.Integer({ minimum: 1, maximum: 3 }),
          finish: Type.Optional(Type.Union([Type.Literal('matt'), Type.Literal('gloss')])),
          note: Type.Optional(Type.String({ pattern: '^[a-z]*$', description: 'lower-case letters' })),
        },
        { additionalProperties: false },
      ),
      response: Type.Object({}, { title: 'the thing' }),
      handle: () => ({}),
    }),
  ];
  t.equal(
    renderRouteTable(routes),
    [
      '| method | path | body fields | answer | what it does |',
      '| --- | --- | --- | --- | --- |',
      '| `GET` | `/things` | none | the things | Every thing. |',
      '| `POST` | `/things/<id>/paint` | `red`, `green`: true or false; `coats`: a whole number from 1 to 3 (required); `finish`: one of "matt", "gloss"; `note`: lower-case letters | the thing | Paints a thing. |',
    ].join('\n'),
  );
  const untitled = route({ method: 'GET', path: '/x', description: 'x', params: NO_FIELDS, body: NO_FIELDS, response: Type.Object({}), handle: () => ({}) });
  t.throws(() => renderRouteTable([untitled]), /GET \/x: give its response schema a title/);
});

t.test('sections: replaced between their markers, the rest of the text kept; missing markers say so', async (t) => {
  const text = 'intro\n<!-- a:begin -->\nold\n<!-- a:end -->\noutro\n';
  const updated = replaceSection(text, 'a', 'new\nlines');
  t.equal(updated, 'intro\n<!-- a:begin -->\nnew\nlines\n<!-- a:end -->\noutro\n');
  t.equal(readSection(updated, 'a'), 'new\nlines');
  t.equal(replaceSection(updated, 'a', 'new\nlines'), updated, 'regenerating changes nothing');
  t.throws(() => readSection(text, 'b'), /no <!-- b:begin --> \.\.\. <!-- b:end --> section/);
});
