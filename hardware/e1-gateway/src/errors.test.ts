import t from 'tap';
import { ERROR_CODES, EXIT_OK, HTTP_ERROR_CODES, type ErrorCodeInfo } from './errors.js';
import { SimError } from './sim/sim-error.js';

const rows: [string, ErrorCodeInfo][] = Object.entries(ERROR_CODES);

t.test('the control API answers each of its codes with an error status from the table', async (t) => {
  t.same(
    HTTP_ERROR_CODES.map((c) => [c, ERROR_CODES[c].status]),
    [
      ['bad-body', 400],
      ['bad-value', 400],
      ['bad-path', 404],
      ['not-found', 404],
      ['no-route', 404],
      ['wrong-method', 405],
      ['conflict', 409],
      ['body-too-large', 413],
      ['internal', 500],
    ],
  );
  t.same(
    (['not-found', 'conflict', 'bad-value'] as const).map((c) => new SimError(c, 'x').status),
    [404, 409, 400],
    "SimError's status comes from the table",
  );
});

t.test('countyline-sim exits with the codes its README documents, none of them EXIT_OK', async (t) => {
  t.same(
    rows.filter(([, r]) => r.exit !== undefined).map(([c, r]) => [c, r.exit]),
    [
      ['port-closed', 1],
      ['usage', 2],
      ['start-failed', 2],
    ],
  );
  t.equal(EXIT_OK, 0);
});

t.test('no code is both an HTTP answer and an exit code', async (t) => {
  t.same(
    rows.filter(([, r]) => r.status !== undefined && r.exit !== undefined).map(([c]) => c),
    [],
  );
});
