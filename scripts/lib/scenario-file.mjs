// A bench scenario file (scripts/scenarios/*.json): timed steps of traffic, faults and
// bulletins for the bench job, and what must be true at the end. Checked here when read, so a
// mistake in a file is named before anything starts.
//
// {
//   "name": { "en": "...", "zh": "..." },
//   "description": "...",                           for people; not read
//   "seconds": 60,                                  how long the steps run
//   "seed": 1202,                                   callers, faults and the E1 exchange
//   "traffic": { "e1PerMinute": 8, "fxoPerMinute": 6 },   from the start
//   "talkSeconds": { "fxo": 15 },                   optional: how long every agent of the
//                                                   e1 or fxo county talks (default 3 to 5 s)
//   "steps": [                                      at: seconds from the start
//     { "at": 20, "traffic": { "e1PerMinute": 16 } },
//     { "at": 25, "fault": "los", "seconds": 15 },          LOS on the E1 span
//     { "at": 30, "fault": "unplug", "port": 2, "seconds": 10 },   an FXO line
//     { "at": 40, "fault": "glare" },                       the box calls out into glare
//     { "at": 30, "bulletin": "text", "boxes": ["qingshui-e1-01"], "minutes": 60 }
//                                 pushed from central, in force for `minutes` (default 60)
//   ],
//   "expect": [                                     checked through central's API at the end
//     { "box": "qingshui-e1-01", "check": "calls", "min": 3 },
//     ...
//   ]
// }
//
// Checks, on the calls that arrived during the run (central's CDRs) unless said otherwise:
// online (the box is online now); calls, answered, abandoned, heard-bulletin (counts, `min`
// and/or `max`); answer-rate (answered / calls, `min` and/or `max`, 0..1); alarm (an alarm of
// `type`, with `cause` if given, raised during the run); no-alarm (none of `severity` raised
// during the run); bulletin-done (every bulletin pushed to the box was spoken there: its
// command done); busy-tone (callers who found all five lines busy, FXO box only; `min`).
import { readFile } from 'node:fs/promises';
import { COUNTIES } from './bench-county.mjs';

export const FAULTS = ['los', 'unplug', 'glare'];
export const CHECKS = ['online', 'calls', 'answered', 'abandoned', 'heard-bulletin', 'answer-rate', 'alarm', 'no-alarm', 'bulletin-done', 'busy-tone'];
const BOXES = COUNTIES.map((c) => c.box.id);

/** Reads and checks a scenario file; throws an Error naming the file and what is wrong. */
export async function readScenario(file) {
  let scenario;
  try {
    scenario = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${err.message}`);
  }
  const wrong = (where, what) => {
    throw new Error(`${file}: ${where}: ${what}`);
  };
  const number = (where, v, min, max = Infinity) => {
    if (typeof v !== 'number' || !(v >= min && v <= max)) wrong(where, `a number from ${min}${max === Infinity ? '' : ` to ${max}`}, not ${JSON.stringify(v)}`);
  };
  const rates = (where, r) => {
    if (typeof r !== 'object' || r === null) wrong(where, 'an object with e1PerMinute and/or fxoPerMinute');
    for (const [k, v] of Object.entries(r)) {
      if (k !== 'e1PerMinute' && k !== 'fxoPerMinute') wrong(`${where}.${k}`, 'only e1PerMinute and fxoPerMinute');
      number(`${where}.${k}`, v, 0, 600);
    }
  };
  const box = (where, id) => {
    if (!BOXES.includes(id)) wrong(where, `one of ${BOXES.join(', ')}, not ${JSON.stringify(id)}`);
  };
  if (typeof scenario.name?.en !== 'string' || typeof scenario.name?.zh !== 'string') wrong('name', 'an object with "en" and "zh" strings');
  number('seconds', scenario.seconds, 1, 3600);
  if (scenario.seed !== undefined) number('seed', scenario.seed, 0, 2 ** 31);
  rates('traffic', scenario.traffic ?? {});
  for (const [kind, v] of Object.entries(scenario.talkSeconds ?? {})) {
    if (kind !== 'e1' && kind !== 'fxo') wrong(`talkSeconds.${kind}`, 'only e1 and fxo');
    number(`talkSeconds.${kind}`, v, 1, 600);
  }
  if (!Array.isArray(scenario.steps)) wrong('steps', 'a list');
  scenario.steps.forEach((s, i) => {
    const where = `steps[${i}]`;
    number(`${where}.at`, s.at, 0, scenario.seconds);
    const kinds = ['traffic', 'fault', 'bulletin'].filter((k) => s[k] !== undefined);
    if (kinds.length !== 1) wrong(where, 'exactly one of "traffic", "fault", "bulletin"');
    if (s.traffic) rates(`${where}.traffic`, s.traffic);
    if (s.fault !== undefined) {
      if (!FAULTS.includes(s.fault)) wrong(`${where}.fault`, `one of ${FAULTS.join(', ')}`);
      if (s.fault !== 'glare') number(`${where}.seconds`, s.seconds, 1, 3600);
      if (s.fault === 'unplug') number(`${where}.port`, s.port, 0, 4);
    }
    if (s.bulletin !== undefined) {
      if (typeof s.bulletin !== 'string' || s.bulletin.length === 0 || s.bulletin.length > 500) wrong(`${where}.bulletin`, 'a text of 1 to 500 characters');
      if (!Array.isArray(s.boxes) || s.boxes.length === 0) wrong(`${where}.boxes`, 'a list of box ids');
      s.boxes.forEach((id, j) => box(`${where}.boxes[${j}]`, id));
      if (s.minutes !== undefined) number(`${where}.minutes`, s.minutes, 1, 7 * 24 * 60);
    }
  });
  if (!Array.isArray(scenario.expect) || scenario.expect.length === 0) wrong('expect', 'a list of checks');
  scenario.expect.forEach((e, i) => {
    const where = `expect[${i}]`;
    box(`${where}.box`, e.box);
    if (!CHECKS.includes(e.check)) wrong(`${where}.check`, `one of ${CHECKS.join(', ')}`);
    if (e.min !== undefined) number(`${where}.min`, e.min, 0);
    if (e.max !== undefined) number(`${where}.max`, e.max, 0);
    if (['calls', 'answered', 'abandoned', 'heard-bulletin', 'answer-rate', 'busy-tone'].includes(e.check) && e.min === undefined && e.max === undefined) wrong(where, `${e.check} takes "min" and/or "max"`);
    if (e.check === 'alarm' && typeof e.type !== 'string') wrong(`${where}.type`, 'the alarm type, e.g. span-red');
    if (e.check === 'no-alarm' && !['warning', 'minor', 'major', 'critical'].includes(e.severity)) wrong(`${where}.severity`, 'warning, minor, major or critical');
    if (e.check === 'busy-tone' && e.box !== COUNTIES.find((c) => c.kind === 'fxo').box.id) wrong(where, 'busy-tone is for the FXO box');
  });
  return scenario;
}
