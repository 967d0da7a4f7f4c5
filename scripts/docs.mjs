#!/usr/bin/env node
// Rewrites the generated sections of hardware/e1-gateway/README.md (the control API's route
// table and the error codes) from the schemas. Run it as `npm run docs`, which builds first.
import { readFileSync, writeFileSync } from 'node:fs';
import { ROUTES } from '../hardware/e1-gateway/dist/sim/control-routes.js';
import { generatedSections, replaceSection } from '../hardware/e1-gateway/dist/sim/route-docs.js';

const readme = new URL('../hardware/e1-gateway/README.md', import.meta.url);
const before = readFileSync(readme, 'utf8');
const after = generatedSections(ROUTES).reduce((text, { name, content }) => replaceSection(text, name, content), before);
if (after === before) console.log('hardware/e1-gateway/README.md is up to date');
else {
  writeFileSync(readme, after);
  console.log('hardware/e1-gateway/README.md: generated sections rewritten');
}
