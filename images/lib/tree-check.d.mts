/** Every problem in the release tree at `dir`, as `<relative path>: <what is wrong>`, sorted; none: the tree is fit for a box. */
export function checkTree(dir: string): string[];
/** A failed check as a message: the first `shown` problems and how many more. */
export function describeProblems(problems: readonly string[], dir: string, shown?: number): string;
