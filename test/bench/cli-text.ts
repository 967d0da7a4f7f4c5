// Reading the CLI's human output without depending on how its tables are drawn (plain
// columns or box-drawing borders): what a person reads is the cells in order on one line.

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A pattern for these cells in this order on one line, with only spaces or borders between. */
export function row(...cells: (string | number)[]): RegExp {
  return new RegExp(`(^|[\\s│┃|])${cells.map((c) => escape(String(c))).join('[ \\t│┃|]+')}`, 'm');
}
