import Table from 'cli-table3';

/**
 * The CLI's tables: plain text, no colours, no borders, columns two spaces apart and lined
 * up by display width (cli-table3 counts a CJK character as two columns), like `ps` or
 * `kubectl get`. Every cell should have text (`-` for nothing), so the columns read clearly.
 */
const NO_BORDERS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

export function renderTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = new Table({ head: [...head], chars: NO_BORDERS, style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [], compact: true } });
  for (const row of rows) table.push([...row]);
  // The last column is padded too; trailing spaces only get in the way of copy and paste.
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}
