import t from 'tap';
import { circuitControl, type ControlRule } from './control-rule.js';

const ours = (rule: ControlRule, own: number, peer: number) => [0, 1, 2, 3, 4094, 4095].filter((cic) => circuitControl(rule, own, peer).controlledByUs(cic));

t.test('point-code: the higher point code controls the even CICs, the lower the odd', async (t) => {
  t.same(ours('point-code', 2000, 1000), [0, 2, 4094], 'we are higher: even');
  t.same(ours('point-code', 1000, 2000), [1, 3, 4095], 'we are lower: odd');
  t.equal(circuitControl('point-code', 2000, 1000).ours, 'even');
  t.equal(circuitControl('point-code', 1000, 2000).ours, 'odd');
  // Both ends, each applying the rule from its own side, split every CIC between them.
  for (const cic of [0, 1, 2, 3, 4095]) {
    t.not(circuitControl('point-code', 2000, 1000).controlledByUs(cic), circuitControl('point-code', 1000, 2000).controlledByUs(cic), `CIC ${cic} has exactly one controller`);
  }
});

t.test('all, none, even and odd say what we control whatever the point codes', async (t) => {
  for (const [own, peer] of [
    [2000, 1000],
    [1000, 2000],
  ] as const) {
    t.same(ours('all', own, peer), [0, 1, 2, 3, 4094, 4095], `all (${own} vs ${peer})`);
    t.same(ours('none', own, peer), [], `none (${own} vs ${peer})`);
    t.same(ours('even', own, peer), [0, 2, 4094], `even (${own} vs ${peer})`);
    t.same(ours('odd', own, peer), [1, 3, 4095], `odd (${own} vs ${peer})`);
  }
  t.same(ours('all', 5, 5), [0, 1, 2, 3, 4094, 4095], 'equal point codes do not matter when the split is configured');
});

t.test('equal point codes and unknown rules are refused', async (t) => {
  t.throws(() => circuitControl('point-code', 1234, 1234), { name: 'RangeError', message: /both 1234/ });
  t.throws(() => circuitControl('alternate' as ControlRule, 1, 2), { name: 'TypeError', message: /unknown dual-seizure control rule "alternate"/ });
});
